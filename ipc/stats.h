/*
 * stats.h — the shared-memory statistics segment: its layout and the table
 * of counters that describes it.
 *
 * The master creates the POSIX shared-memory object "/trainsrv.<port>",
 * fills in the header, and publishes it by storing 1 into `ready` with
 * release order: a reader that loads `ready` == 1 with acquire order sees a
 * fully built segment.  The master holds an fcntl(2) write lock on the
 * object for its whole life; "a live trainsrv owns this segment" means
 * exactly that the lock is held (readers test it with F_GETLK).  fcntl locks
 * vanish with their process, so a killed master leaves no lock behind and
 * nobody can ever wait on a dead owner.
 *
 * Nothing in the segment is a pointer.  Each worker writes only its own
 * slot, which starts on its own cache line, with relaxed C11 atomic stores:
 * there is a single writer per slot at any time (the next worker in a slot
 * starts only after the previous one was reaped), so no lock is needed and a
 * worker killed at any instant leaves every counter valid.  Slot counters
 * are never reset: the next worker in a slot continues them, so totals
 * summed over the slots never go backward.
 *
 * The few header fields that change on reload are guarded by `seq`, a
 * sequence count (odd while the master writes them), so a reader can take a
 * consistent snapshot.
 */
#ifndef TRAINSRV_STATS_H
#define TRAINSRV_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ST_MAGIC	0x7473727374617473ULL	/* "statsrts" */
#define ST_VERSION	1
#define ST_SLOTS	128	/* 64 workers, plus room for a retiring generation */
#define ST_LAT_BUCKETS	32	/* log2 microseconds: bucket i holds [2^i, 2^(i+1)) */
#define ST_CACHELINE	64
#define ST_SHM_DIR	"/dev/shm"	/* where Linux keeps shm_open objects */

/* Commands counted per slot; trainsrv-stat names them with st_cmd_name. */
enum st_cmd {
	ST_CMD_HELP, ST_CMD_PING, ST_CMD_ECHO, ST_CMD_ALL, ST_CMD_NEXT,
	ST_CMD_WINDOW, ST_CMD_BEST, ST_CMD_DEPARTURES, ST_CMD_STATIONS,
	ST_CMD_QUIT, ST_CMD_OTHER,	/* unknown or empty requests */
	ST_CMD_JOURNEY, ST_CMD_NAME, ST_CMD_WHO, ST_CMD_MSG,
	ST_CMD_MAX = 16			/* room for later commands */
};

/* Error codes counted per slot. */
enum st_err {
	ST_ERR_400, ST_ERR_404, ST_ERR_413, ST_ERR_500, ST_ERR_503,
	ST_ERR_409, ST_ERR_429,
	ST_ERR_MAX = 8
};

enum st_state {
	ST_UNUSED = 0,	/* holds no worker: never did, or its worker left as told */
	ST_STARTING,	/* forked, not yet serving */
	ST_IDLE,	/* serving, no connection */
	ST_BUSY,	/* serving connections */
	ST_EXITING,	/* retiring or stopping: accepts nothing new */
	ST_DEAD		/* exited and reaped */
};

/* Whether a worker takes new connections (the accept balance reads it). */
enum st_accept {
	ACCEPT_NO = 0,		/* starting, at its cap, or leaving */
	ACCEPT_LISTENING,	/* listening */
	ACCEPT_BACKOFF		/* willing, stepping back for balance */
};

struct st_slot {
	_Alignas(ST_CACHELINE)
	_Atomic uint32_t	pid;
	_Atomic uint32_t	state;		/* enum st_state */
	_Atomic uint32_t	generation;	/* timetable generation it serves */
	_Atomic uint32_t	accepting;	/* enum st_accept */
	_Atomic int64_t		started_at;	/* unix time, seconds */
	_Atomic uint64_t	workers;	/* workers started in this slot */
	_Atomic uint64_t	conns;		/* gauge: open connections */
	_Atomic uint64_t	accepted;	/* connections accepted */
	_Atomic uint64_t	timeouts;	/* connections closed by a timeout */
	_Atomic uint64_t	overflows;	/* closed for unsent output over the cap */
	_Atomic uint64_t	bytes_in;
	_Atomic uint64_t	bytes_out;
	_Atomic int64_t		last_request;	/* unix time, milliseconds */
	_Atomic uint64_t	lat_sum;	/* microseconds, all requests */
	_Atomic uint64_t	nicknames;	/* gauge: sessions with a nickname */
	_Atomic uint64_t	messages;	/* notices relayed to sessions */
	_Atomic uint64_t	route_busy;	/* ERR 503: a routing bound was hit */
	_Atomic uint64_t	cmd[ST_CMD_MAX];
	_Atomic uint64_t	err[ST_ERR_MAX];
	_Atomic uint64_t	lat[ST_LAT_BUCKETS];
	_Atomic int64_t		exited_at;	/* unix time, seconds; set with ST_DEAD */
};

struct st_header {
	uint64_t		magic;
	uint32_t		version;
	uint32_t		header_size;
	uint32_t		slot_size;
	uint32_t		nslots;
	_Atomic uint32_t	ready;		/* 1 once the segment is built */
	_Atomic uint32_t	seq;		/* odd while reload fields change */
	int64_t			master_pid;
	int64_t			started_at;	/* unix time, seconds */
	uint32_t		port;
	char			listen[96];	/* "127.0.0.1:8080", "[::]:8080" */
	char			timetable[512];
	/* Changed on reload, under seq. */
	_Atomic uint64_t	trains;
	_Atomic uint64_t	legs;
	_Atomic uint64_t	stations;
	_Atomic int64_t		loaded_at;	/* unix time, seconds */
	_Atomic uint64_t	generation;
	/* Master counters. */
	_Atomic uint64_t	reload_attempts;	/* reloads finished, good or bad */
	_Atomic uint64_t	reload_successes;
	_Atomic uint64_t	respawns;
	_Atomic uint32_t	workers_target;
};

struct st_segment {
	struct st_header	*hdr;
	struct st_slot		*slots;
	size_t			 size;
	int			 fd;
	char			 name[32];
	uid_t			 uid;	/* reader side: who owns the file */
};

/* Relaxed single-writer updates: a load and a store, no locked instruction. */
#define ST_ADD(field, v) atomic_store_explicit(&(field),		\
	atomic_load_explicit(&(field), memory_order_relaxed) + (v),	\
	memory_order_relaxed)
#define ST_SET(field, v) atomic_store_explicit(&(field), (v),		\
	memory_order_relaxed)
#define ST_GET(field) atomic_load_explicit(&(field), memory_order_relaxed)

/*
 * Master side.  st_create makes the segment for port: it refuses one that
 * belongs to another uid (never using, trusting or removing it), refuses
 * one a live trainsrv owns (the same port, maybe on another address: the
 * name has the port only), replaces a stale one of ours, reserves its
 * pages (posix_fallocate: a full /dev/shm is an error now, not a SIGBUS
 * later) and takes the owner lock.  st_publish marks it ready.
 * st_destroy unlinks and unmaps.  Both return 0, or -1 with a message in err.
 */
int		 st_create(unsigned port, struct st_segment *, char *err, size_t errlen);
void		 st_publish(struct st_segment *);
void		 st_destroy(struct st_segment *);
void		 st_begin_update(struct st_header *);
void		 st_end_update(struct st_header *);

/*
 * Reader side (trainsrv-stat): map the segment of port read-only.  Fails
 * with a message when there is none, when it belongs to neither root nor
 * the caller, when no live trainsrv owns it, or when any size it states
 * (header, slot, slot count, file) is not this layout's.  Strings in it
 * are still someone else's text: copy, then wire_sanitize_n, to print.
 * *owner receives the owner's pid.
 */
int		 st_attach(unsigned port, struct st_segment *, pid_t *owner,
		    char *err, size_t errlen);
void		 st_detach(struct st_segment *);
int		 st_owner(int fd, pid_t *owner);

void		 st_name(unsigned port, char *buf, size_t len);
const char	*st_path(const char *name);	/* "/dev/shm" + name, static buffer */
const char	*st_uid_desc(uid_t);		/* "uid 65534 (nobody)", static buffer */
const char	*st_cmd_name(unsigned cmd);
const char	*st_err_name(unsigned err);	/* "400", ... */
const char	*st_state_name(unsigned state);

/*
 * The header's reload fields, read consistently (retrying while `seq` is
 * odd or moves), and the reload and respawn counters beside them: what
 * trainsrv-stat and the Prometheus text both show.
 */
struct st_reload {
	uint64_t	trains, legs, stations, generation;
	int64_t		loaded_at;
	uint64_t	reload_attempts, reload_successes, respawns;
	uint32_t	workers_target;
};
void		 st_read_reload(struct st_header *, struct st_reload *);
int		 st_lat_bucket(uint64_t usec);

/*
 * Counters that describe themselves (after varnishstat): name, kind and a
 * one-line description, and where the value lives in a slot.  trainsrv-stat
 * prints its summary, JSON and Prometheus views from this one table.
 */
enum st_kind { ST_COUNTER, ST_GAUGE };
struct st_field {
	const char	*name;
	enum st_kind	 kind;
	size_t		 offset;	/* of an _Atomic uint64_t in struct st_slot */
	const char	*help;
};
extern const struct st_field	st_slot_fields[];
extern const size_t		st_nslot_fields;

#endif /* TRAINSRV_STATS_H */
