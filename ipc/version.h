/*
 * version.h — the one place the version is written: the greeting, the
 * start-up banner, trainsrv-stat -j and every program's --version.
 */
#ifndef TRAINSRV_VERSION_H
#define TRAINSRV_VERSION_H

#define TRAINSRV_VERSION	"0.1.0"

#endif /* TRAINSRV_VERSION_H */
