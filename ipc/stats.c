/*
 * stats.c — creating, owning, publishing and attaching the shared-memory
 * statistics segment (layout and rules in stats.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipc/stats.h"

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

static size_t
st_size(void)
{
	size_t hdr = (sizeof(struct st_header) + ST_CACHELINE - 1) &
	    ~(size_t)(ST_CACHELINE - 1);

	return hdr + ST_SLOTS * sizeof(struct st_slot);
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
 * An existing segment: refuse it when a live trainsrv owns it, unlink it
 * when its owner is gone.  Returns 0 when the name is free again.
 */
static int
st_replace_stale(const char *name, char *err, size_t errlen)
{
	pid_t owner;
	int fd, r;

	if ((fd = shm_open(name, O_RDONLY, 0)) == -1)
		return errno == ENOENT ? 0 : (snprintf(err, errlen,
		    "shm_open %s: %s", name, strerror(errno)), -1);
	r = st_owner(fd, &owner);
	close(fd);
	if (r == 1) {
		snprintf(err, errlen, "stats segment %s is owned by a running "
		    "trainsrv (pid %ld)", name, (long)owner);
		return -1;
	}
	if (shm_unlink(name) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "shm_unlink %s (stale): %s", name,
		    strerror(errno));
		return -1;
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
	int tries;

	memset(seg, 0, sizeof *seg);
	seg->fd = -1;
	st_name(port, seg->name, sizeof seg->name);
	seg->size = st_size();
	for (tries = 0; seg->fd == -1 && tries < 3; tries++) {
		if (st_replace_stale(seg->name, err, errlen) == -1)
			return -1;
		seg->fd = shm_open(seg->name, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (seg->fd == -1 && errno != EEXIST)
			break;
	}
	if (seg->fd == -1) {
		snprintf(err, errlen, "shm_open %s: %s", seg->name, strerror(errno));
		return -1;
	}
	if (st_lock(seg->fd) == -1) {
		snprintf(err, errlen, "lock %s: %s", seg->name, strerror(errno));
		goto fail;
	}
	/* The umask may have cleared group read; fchmod says what we mean. */
	if (fchmod(seg->fd, 0640) == -1 || ftruncate(seg->fd, seg->size) == -1) {
		snprintf(err, errlen, "%s: %s", seg->name, strerror(errno));
		goto fail;
	}
	seg->hdr = mmap(NULL, seg->size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    seg->fd, 0);
	if (seg->hdr == MAP_FAILED) {
		seg->hdr = NULL;
		snprintf(err, errlen, "mmap %s: %s", seg->name, strerror(errno));
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

static int
st_check_layout(struct st_segment *seg, char *err, size_t errlen)
{
	const struct st_header *h = seg->hdr;

	if (atomic_load_explicit(&seg->hdr->ready, memory_order_acquire) != 1) {
		snprintf(err, errlen, "%s: segment not ready yet", seg->name);
		return -1;
	}
	if (h->magic != ST_MAGIC || h->version != ST_VERSION ||
	    h->slot_size != sizeof(struct st_slot) || h->nslots != ST_SLOTS ||
	    seg->size < st_size()) {
		snprintf(err, errlen, "%s: not a trainsrv stats segment of "
		    "layout version %d", seg->name, ST_VERSION);
		return -1;
	}
	seg->slots = (struct st_slot *)((const char *)seg->hdr +
	    st_size() - ST_SLOTS * sizeof(struct st_slot));
	return 0;
}

int
st_attach(unsigned port, struct st_segment *seg, pid_t *owner, char *err,
    size_t errlen)
{
	struct stat sb;
	int r;

	memset(seg, 0, sizeof *seg);
	st_name(port, seg->name, sizeof seg->name);
	if ((seg->fd = shm_open(seg->name, O_RDONLY, 0)) == -1) {
		if (errno == ENOENT)
			snprintf(err, errlen, "no trainsrv on port %u "
			    "(no stats segment %s)", port, seg->name);
		else
			snprintf(err, errlen, "shm_open %s: %s", seg->name,
			    strerror(errno));
		return -1;
	}
	if ((r = st_owner(seg->fd, owner)) != 1) {
		snprintf(err, errlen, r == 0 ? "no trainsrv on port %u "
		    "(stale stats segment %s has no live owner)" :
		    "cannot test the owner of the segment for port %u", port,
		    seg->name);
		goto fail;
	}
	if (fstat(seg->fd, &sb) == -1 || (size_t)sb.st_size < sizeof(struct st_header)) {
		snprintf(err, errlen, "%s: segment too small", seg->name);
		goto fail;
	}
	seg->size = sb.st_size;
	seg->hdr = mmap(NULL, seg->size, PROT_READ, MAP_SHARED, seg->fd, 0);
	if (seg->hdr == MAP_FAILED) {
		seg->hdr = NULL;
		snprintf(err, errlen, "mmap %s: %s", seg->name, strerror(errno));
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
