/*
 * process.h — the mechanism under the master: the process table, spawning
 * a worker into a slot, reaping, and the master's signal flags.  The policy
 * (when to spawn, retire, respawn) lives in master.c.
 */
#ifndef TRAINSRV_PROCESS_H
#define TRAINSRV_PROCESS_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/channel.h"
#include "ipc/stats.h"

#define PROC_MAX	ST_SLOTS

enum proc_state {
	PROC_FREE = 0,
	PROC_PENDING,	/* died; respawn due at respawn_at */
	PROC_STARTING,	/* forked, not ready yet */
	PROC_READY,	/* serving and accepting */
	PROC_RETIRING,	/* told to retire: stops accepting, then leaves */
	PROC_STOPPING	/* told to stop: drains, says "* shutdown", exits */
};

struct proc {
	pid_t		pid;
	enum proc_state	state;
	unsigned	gen;		/* timetable generation it serves */
	struct channel	ch;		/* master's end of the channel (fd -1: none) */
	int		accepting;	/* from fork until it reports CH_RETIRED */
	int		left;		/* told CH_LEAVE */
	int64_t		since;		/* ms, when it entered this state */
	int64_t		deadline;	/* ms, SIGKILL after (0: none) */
	int64_t		respawn_at;	/* ms, PROC_PENDING only */
};

extern struct proc	procs[PROC_MAX];

/* Signal flags, set by the handlers, acted on by the master loop. */
extern volatile sig_atomic_t	sig_child, sig_stop, sig_reload, sig_more, sig_fewer,
				sig_reopen;

int	sig_master_setup(sigset_t *unblocked);
void	proc_init(void);
int	proc_free_slot(void);
int	proc_find(pid_t);
pid_t	proc_spawn(unsigned slot, unsigned gen,
	    void (*body)(unsigned slot, int chan, void *), void *arg);
void	proc_reap(void (*on_exit)(unsigned slot, pid_t, int status));
void	proc_signal_all(int sig);
const char *proc_status(int status, char *buf, size_t len);

#endif /* TRAINSRV_PROCESS_H */
