/*
 * process.c — process table, spawn, reap and signal handling (mechanism).
 *
 * Signal handlers only set sig_atomic_t flags.  The master keeps its signals
 * blocked except while it sleeps in ppoll(2), which atomically unblocks
 * them: a signal either arrives before ppoll and makes it return at once,
 * or during it, so none is ever missed between a flag test and the sleep.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/channel.h"
#include "ipc/log.h"
#include "master/process.h"
#include "master/trainsrv.h"

struct proc	procs[PROC_MAX];

volatile sig_atomic_t	sig_child, sig_stop, sig_reload, sig_more, sig_fewer,
			sig_reopen;

static void
sig_handler(int sig, siginfo_t *si, void *uctx)
{
	int saved = errno;

	(void)uctx;
	switch (sig) {
	case SIGCHLD:
		sig_child = 1;
		break;
	case SIGINT:
	case SIGTERM:
		sig_stop++;
		break;
	case SIGHUP:
		sig_reload = 1;
		break;
	case SIGUSR1:
		sig_reopen = 1;
		break;
	/* Only kill(2) counts: the terminal's job control sends these too. */
	case SIGTTIN:
		if (si->si_code == SI_USER)
			sig_more++;
		break;
	case SIGTTOU:
		if (si->si_code == SI_USER)
			sig_fewer++;
		break;
	}
	errno = saved;
}

static const int master_signals[] = {
	SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1
};

/*
 * Install the master's handlers unconditionally (a shell starts background
 * jobs with SIGINT ignored) and block them; *unblocked is the mask to give
 * ppoll.
 */
int
sig_master_setup(sigset_t *unblocked)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = sig_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof master_signals / sizeof master_signals[0]; i++) {
		if (sigaction(master_signals[i], &sa, NULL) == -1)
			return -1;
		sigaddset(&block, master_signals[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &block, unblocked) == -1)
		return -1;
	for (i = 0; i < sizeof master_signals / sizeof master_signals[0]; i++)
		sigdelset(unblocked, master_signals[i]);
	return 0;
}

void
proc_init(void)
{
	int i;

	for (i = 0; i < PROC_MAX; i++) {
		memset(&procs[i], 0, sizeof procs[i]);
		ch_init(&procs[i].ch, -1);
	}
}

int
proc_free_slot(void)
{
	int i;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].state == PROC_FREE)
			return i;
	return -1;
}

int
proc_find(pid_t pid)
{
	int i;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].pid == pid && procs[i].state != PROC_FREE &&
		    procs[i].state != PROC_PENDING)
			return i;
	return -1;
}

/*
 * In the child: drop the master's ends of every channel, or a worker would
 * keep another worker's channel open and hide the master's death from it.
 */
static void
proc_child_close(void)
{
	int i;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].ch.fd != -1)
			ch_close(&procs[i].ch);
}

pid_t
proc_spawn(unsigned slot, unsigned gen,
    void (*body)(unsigned, int, void *), void *arg)
{
	int ch[2];
	pid_t pid;

	if (ch_pair(ch) == -1) {
		log_warn("spawn: socketpair: %s", strerror(errno));
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		log_warn("spawn: fork: %s", strerror(errno));
		close(ch[0]);
		close(ch[1]);
		return -1;
	case 0:
		close(ch[0]);
		proc_child_close();
		body(slot, ch[1], arg);
		_exit(EXIT_FATAL);	/* body never returns */
	}
	close(ch[1]);
	procs[slot].pid = pid;
	procs[slot].state = PROC_STARTING;
	procs[slot].gen = gen;
	ch_init(&procs[slot].ch, ch[0]);
	/* It listens before it says CH_READY, and may be told to retire before
	 * that message arrives: it accepts until it reports CH_RETIRED. */
	procs[slot].accepting = 1;
	procs[slot].since = now_ms();
	procs[slot].deadline = 0;
	return pid;
}

/* Reap every exited child; waitpid until it says there is none left. */
void
proc_reap(void (*on_exit)(unsigned slot, pid_t, int status))
{
	pid_t pid;
	int status, slot;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			return;
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				log_warn("waitpid: %s", strerror(errno));
			return;
		}
		if ((slot = proc_find(pid)) == -1) {
			log_warn("reaped unknown child %ld", (long)pid);
			continue;
		}
		procs[slot].accepting = 0;	/* whether or not it said so */
		/*
		 * on_exit closes the channel and tells whoever routes through
		 * it (master.c: m_channel_gone); a channel left open would
		 * leak into the slot's next worker, so close it regardless.
		 */
		on_exit(slot, pid, status);
		if (procs[slot].ch.fd != -1)
			ch_close(&procs[slot].ch);
	}
}

void
proc_signal_all(int sig)
{
	int i;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].state >= PROC_STARTING && procs[i].pid > 0)
			kill(procs[i].pid, sig);
}

const char *
proc_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status %#x", status);
	return buf;
}
