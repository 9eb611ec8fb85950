/*
 * stats.c — creating, owning, publishing and attaching the shared-memory
 * statistics segment (layout and rules in stats.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipc/stats.h"
#include "ipc/wire.h"

const struct st_field st_slot_fields[] = {
	{ "connections", ST_GAUGE, offsetof(struct st_slot, conns),
	    "Open client connections." },
	{ "accepted", ST_COUNTER, offsetof(struct st_slot, accepted),
	    "Client connections accepted." },
	{ "timeouts", ST_COUNTER, offsetof(struct st_slot, timeouts),
	    "Connections closed by the request-line or idle timeout." },
	{ "overflows", ST_COUNTER, offsetof(struct st_slot, overflows),
	    "Connections closed for unsent output over the cap." },
	{ "bytes_in", ST_COUNTER, offsetof(struct st_slot, bytes_in),
	    "Bytes read from clients." },
	{ "bytes_out", ST_COUNTER, offsetof(struct st_slot, bytes_out),
	    "Bytes written to clients." },
	{ "workers_started", ST_COUNTER, offsetof(struct st_slot, workers),
	    "Worker processes started in this slot." },
	{ "nicknames", ST_GAUGE, offsetof(struct st_slot, nicknames),
	    "Sessions with a nickname." },
	{ "messages", ST_COUNTER, offsetof(struct st_slot, messages),
	    "Messages and operator notices relayed to sessions." },
	{ "route_busy", ST_COUNTER, offsetof(struct st_slot, route_busy),
	    "Session commands answered ERR 503: a routing queue was full." },
};
const size_t st_nslot_fields = sizeof st_slot_fields / sizeof st_slot_fields[0];

static const char *st_cmd_names[ST_CMD_MAX] = {
	"HELP", "PING", "ECHO", "ALL", "NEXT", "WINDOW", "BEST",
	"DEPARTURES", "STATIONS", "QUIT", "OTHER", "JOURNEY", "NAME", "WHO",
	"MSG",
};

static const char *st_err_names[ST_ERR_MAX] = {
	"400", "404", "413", "500", "503", "409", "429",
};

static const char *st_state_names[] = {
	"unused", "starting", "idle", "busy", "exiting", "dead",
};

const char *
st_cmd_name(unsigned cmd)
{
	return cmd < ST_CMD_MAX ? st_cmd_names[cmd] : NULL;
}

const char *
st_err_name(unsigned err)
{
	return err < ST_ERR_MAX ? st_err_names[err] : NULL;
}

const char *
st_state_name(unsigned state)
{
	if (state >= sizeof st_state_names / sizeof st_state_names[0])
		return "?";
	return st_state_names[state];
}

int
st_lat_bucket(uint64_t usec)
{
	int b = 0;

	while (usec > 1 && b < ST_LAT_BUCKETS - 1) {
		usec >>= 1;
		b++;
	}
	return b;
}

void
st_name(unsigned port, char *buf, size_t len)
{
	snprintf(buf, len, "/trainsrv.%u", port);
}

/* Where a segment lives, as an operator finds it: "/dev/shm/trainsrv.8080". */
const char *
st_path(const char *name)
{
	static char path[64];

	snprintf(path, sizeof path, "%s%s", ST_SHM_DIR, name);
	return path;
}

static size_t
st_size(void)
{
	size_t hdr = (sizeof(struct st_header) + ST_CACHELINE - 1) &
	    ~(size_t)(ST_CACHELINE - 1);

	return hdr + ST_SLOTS * sizeof(struct st_slot);
}

/* "uid 65534 (nobody)" */
const char *
st_uid_desc(uid_t uid)
{
	static char desc[64];
	struct passwd *pw = getpwuid(uid);

	snprintf(desc, sizeof desc, "uid %lu (%s)", (unsigned long)uid,
	    pw != NULL ? pw->pw_name : "no such user");
	return desc;
}

/*
 * Who holds the owner lock on fd: 1 and *owner set when a live process
 * does, 0 when nobody does, -1 on error.
 */
int
st_owner(int fd, pid_t *owner)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == -1)
		return -1;
	if (fl.l_type == F_UNLCK)
		return 0;
	*owner = fl.l_pid;
	return 1;
}

static int
st_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &fl);
}

/*
 * The listen address an existing segment records, sanitised (it is
 * someone else's text), or "an unknown address" when the segment is not
 * one of ours.  The field is copied before it is read: a live owner may
 * be writing it.
 */
static void
st_peer_listen(int fd, char *out, size_t outlen)
{
	struct st_header *h;
	struct stat sb;
	char raw[sizeof h->listen];

	snprintf(out, outlen, "an unknown address");
	if (fstat(fd, &sb) == -1 || (size_t)sb.st_size < sizeof *h)
		return;
	h = mmap(NULL, sizeof *h, PROT_READ, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return;
	if (h->magic == ST_MAGIC && h->version == ST_VERSION) {
		memcpy(raw, h->listen, sizeof raw);
		if (wire_sanitize_n(out, outlen, raw, sizeof raw) == 0)
			snprintf(out, outlen, "an unknown address");
	}
	munmap(h, sizeof *h);
}

/*
 * An existing segment.  One that is not ours (another user made it, or it
 * is not a plain file) is never used, trusted or removed: refuse and say
 * whose it is.  One of ours with a live owner is a running trainsrv on the
 * same port (maybe on another address: the name has only the port).  One
 * of ours without an owner was left by a killed server: unlink it.
 * Returns 0 when the name is free again.
 */
static int
st_replace_stale(unsigned port, const char *name, char *err, size_t errlen)
{
	struct stat sb;
	char where[128];
	pid_t owner;
	int fd, r, e;

	/* O_NONBLOCK: a FIFO in its place must not block us in open. */
	if ((fd = shm_open(name, O_RDONLY | O_NONBLOCK, 0)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open the existing stats segment "
		    "%s: %s: remove it or use another port", st_path(name),
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "fstat %s: %s", st_path(name),
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid()) {
		if (!S_ISREG(sb.st_mode))
			snprintf(err, errlen, "%s is not a plain file: remove "
			    "it or use another port", st_path(name));
		else
			snprintf(err, errlen, "%s belongs to %s, not to us: "
			    "remove it or use another port", st_path(name),
			    st_uid_desc(sb.st_uid));
		close(fd);
		return -1;
	}
	r = st_owner(fd, &owner);
	e = errno;
	if (r == 1) {
		st_peer_listen(fd, where, sizeof where);
		snprintf(err, errlen, "port %u is already served on %s: the "
		    "stats segment %s is owned by a running trainsrv (pid %ld), "
		    "and it is named by port only, so one port cannot be "
		    "served on two addresses", port, where, st_path(name),
		    (long)owner);
	} else if (r == -1)
		snprintf(err, errlen, "cannot test the owner of %s: %s",
		    st_path(name), strerror(e));
	close(fd);
	if (r != 0)
		return -1;
	if (shm_unlink(name) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "shm_unlink %s (stale): %s", st_path(name),
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Reserve the segment's pages now.  A sparse tmpfs file maps fine, and on a
 * full /dev/shm the first store to a page kills its writer with SIGBUS,
 * master or worker, with no message.  Where fallocate is not supported,
 * writing zeros reserves the pages the same way (the object is new: it is
 * all zeros already).  Returns 0 or an errno value.
 */
static int
st_reserve(int fd, size_t size)
{
	static const char zeros[4096];
	size_t off, n;
	ssize_t w;
	int e;

	do
		e = posix_fallocate(fd, 0, (off_t)size);
	while (e == EINTR);
	if (e != EOPNOTSUPP && e != ENOSYS)
		return e;
	for (off = 0; off < size; off += (size_t)w) {
		n = size - off < sizeof zeros ? size - off : sizeof zeros;
		if ((w = pwrite(fd, zeros, n, (off_t)off)) == -1) {
			if (errno != EINTR)
				return errno;
			w = 0;
		} else if (w == 0)
			return EIO;
	}
	return 0;
}

static void
st_init_header(struct st_segment *seg, unsigned port)
{
	struct st_header *h = seg->hdr;

	h->magic = ST_MAGIC;
	h->version = ST_VERSION;
	h->header_size = sizeof *h;
	h->slot_size = sizeof(struct st_slot);
	h->nslots = ST_SLOTS;
	h->master_pid = getpid();
	h->started_at = time(NULL);
	h->port = port;
}

int
st_create(unsigned port, struct st_segment *seg, char *err, size_t errlen)
{
	int tries, e;

	memset(seg, 0, sizeof *seg);
	seg->fd = -1;
	st_name(port, seg->name, sizeof seg->name);
	seg->size = st_size();
	for (tries = 0; seg->fd == -1 && tries < 3; tries++) {
		if (st_replace_stale(port, seg->name, err, errlen) == -1)
			return -1;
		/* O_EXCL: only a segment we create ourselves is used. */
		seg->fd = shm_open(seg->name, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (seg->fd == -1 && errno != EEXIST)
			break;
	}
	if (seg->fd == -1) {
		snprintf(err, errlen, "shm_open %s: %s", st_path(seg->name),
		    strerror(errno));
		return -1;
	}
	if (st_lock(seg->fd) == -1) {
		snprintf(err, errlen, "lock %s: %s", st_path(seg->name),
		    strerror(errno));
		goto fail;
	}
	/* The umask may have cleared group read; fchmod says what we mean. */
	if (fchmod(seg->fd, 0640) == -1 || ftruncate(seg->fd, seg->size) == -1) {
		snprintf(err, errlen, "%s: %s", st_path(seg->name), strerror(errno));
		goto fail;
	}
	if ((e = st_reserve(seg->fd, seg->size)) != 0) {
		snprintf(err, errlen, "cannot reserve %zu KB for the stats "
		    "segment %s: %s (see df %s)", (seg->size + 1023) / 1024,
		    st_path(seg->name), strerror(e), ST_SHM_DIR);
		goto fail;
	}
	seg->hdr = mmap(NULL, seg->size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    seg->fd, 0);
	if (seg->hdr == MAP_FAILED) {
		seg->hdr = NULL;
		snprintf(err, errlen, "mmap %s: %s", st_path(seg->name),
		    strerror(errno));
		goto fail;
	}
	seg->slots = (struct st_slot *)((char *)seg->hdr +
	    seg->size - ST_SLOTS * sizeof(struct st_slot));
	st_init_header(seg, port);
	return 0;
fail:
	shm_unlink(seg->name);
	close(seg->fd);
	seg->fd = -1;
	return -1;
}

void
st_publish(struct st_segment *seg)
{
	atomic_store_explicit(&seg->hdr->ready, 1, memory_order_release);
}

void
st_begin_update(struct st_header *h)
{
	atomic_fetch_add_explicit(&h->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

void
st_end_update(struct st_header *h)
{
	atomic_fetch_add_explicit(&h->seq, 1, memory_order_release);
}

void
st_destroy(struct st_segment *seg)
{
	if (seg->fd == -1)
		return;
	shm_unlink(seg->name);
	if (seg->hdr != NULL)
		munmap(seg->hdr, seg->size);
	close(seg->fd);
	seg->hdr = NULL;
	seg->fd = -1;
}

/*
 * Every size the segment states must be the one this program was built
 * with: the readers index slots and copy strings by this layout only.
 */
static int
st_check_layout(struct st_segment *seg, char *err, size_t errlen)
{
	const struct st_header *h = seg->hdr;

	if (h->magic != ST_MAGIC || h->version != ST_VERSION ||
	    h->header_size != sizeof *h ||
	    h->slot_size != sizeof(struct st_slot) || h->nslots != ST_SLOTS ||
	    seg->size != st_size()) {
		snprintf(err, errlen, "%s: not a trainsrv stats segment of "
		    "layout version %d (a different trainsrv version?)",
		    st_path(seg->name), ST_VERSION);
		return -1;
	}
	if (atomic_load_explicit(&seg->hdr->ready, memory_order_acquire) != 1) {
		snprintf(err, errlen, "%s: segment not ready yet",
		    st_path(seg->name));
		return -1;
	}
	seg->slots = (struct st_slot *)((const char *)seg->hdr +
	    st_size() - ST_SLOTS * sizeof(struct st_slot));
	return 0;
}

/*
 * A segment is read only when root or the caller owns it: anyone can
 * create /dev/shm/trainsrv.<port> and hold a lock on it, and what such a
 * file says (its address, its timetable, its counters) is made up.  Root
 * alone may also read one of another user (a server started by an
 * ordinary user is that user's); seg->uid then tells the caller to say
 * whose word it prints.
 */
static int
st_check_owner(struct st_segment *seg, unsigned port, char *err,
    size_t errlen)
{
	struct stat sb;

	if (fstat(seg->fd, &sb) == -1) {
		snprintf(err, errlen, "fstat %s: %s", st_path(seg->name),
		    strerror(errno));
		return -1;
	}
	seg->uid = sb.st_uid;
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a plain file: not reading it",
		    st_path(seg->name));
		return -1;
	}
	if (sb.st_uid != 0 && sb.st_uid != getuid() && sb.st_uid != geteuid() &&
	    geteuid() != 0) {
		snprintf(err, errlen, "%s belongs to %s, neither root nor you: "
		    "not reading it (no trainsrv of yours or root's serves "
		    "port %u)", st_path(seg->name), st_uid_desc(sb.st_uid), port);
		return -1;
	}
	if ((size_t)sb.st_size < sizeof(struct st_header)) {
		snprintf(err, errlen, "%s: segment too small",
		    st_path(seg->name));
		return -1;
	}
	seg->size = (size_t)sb.st_size;
	return 0;
}

int
st_attach(unsigned port, struct st_segment *seg, pid_t *owner, char *err,
    size_t errlen)
{
	int r;

	memset(seg, 0, sizeof *seg);
	st_name(port, seg->name, sizeof seg->name);
	/* O_NONBLOCK: a FIFO in its place must not block us in open. */
	if ((seg->fd = shm_open(seg->name, O_RDONLY | O_NONBLOCK, 0)) == -1) {
		if (errno == ENOENT)
			snprintf(err, errlen, "no trainsrv on port %u "
			    "(no stats segment %s)", port, seg->name);
		else
			snprintf(err, errlen, "shm_open %s: %s",
			    st_path(seg->name), strerror(errno));
		return -1;
	}
	if (st_check_owner(seg, port, err, errlen) == -1)
		goto fail;
	if ((r = st_owner(seg->fd, owner)) != 1) {
		snprintf(err, errlen, r == 0 ? "no trainsrv on port %u "
		    "(stale stats segment %s has no live owner)" :
		    "cannot test the owner of the segment for port %u", port,
		    seg->name);
		goto fail;
	}
	seg->hdr = mmap(NULL, seg->size, PROT_READ, MAP_SHARED, seg->fd, 0);
	if (seg->hdr == MAP_FAILED) {
		seg->hdr = NULL;
		snprintf(err, errlen, "mmap %s: %s", st_path(seg->name),
		    strerror(errno));
		goto fail;
	}
	if (st_check_layout(seg, err, errlen) == 0)
		return 0;
fail:
	st_detach(seg);
	return -1;
}

void
st_detach(struct st_segment *seg)
{
	if (seg->hdr != NULL)
		munmap(seg->hdr, seg->size);
	if (seg->fd != -1)
		close(seg->fd);
	seg->hdr = NULL;
	seg->fd = -1;
}

void
st_read_reload(struct st_header *h, struct st_reload *r)
{
	uint32_t seq;
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		seq = atomic_load_explicit(&h->seq, memory_order_acquire);
		if (seq & 1)
			continue;
		r->trains = ST_GET(h->trains);
		r->legs = ST_GET(h->legs);
		r->stations = ST_GET(h->stations);
		r->loaded_at = ST_GET(h->loaded_at);
		r->generation = ST_GET(h->generation);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&h->seq, memory_order_relaxed) == seq)
			break;
	}
	r->reload_attempts = atomic_load_explicit(&h->reload_attempts,
	    memory_order_acquire);
	r->reload_successes = ST_GET(h->reload_successes);
	r->respawns = ST_GET(h->respawns);
	r->workers_target = ST_GET(h->workers_target);
}
