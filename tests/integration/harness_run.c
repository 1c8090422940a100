/* harness_run — see harness.h: runs a command-line program of the build and captures what a
 * person would see. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define S_ARGS_MAX 24

void harness_run_free(harness_run_t *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static int s_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t want = *cap ? *cap : 4096;
        while (want < *len + n + 1)
            want *= 2;
        char *grown = realloc(*buf, want);
        if (!grown)
            return -1;
        *buf = grown;
        *cap = want;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static void s_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int harness_run(const char *binary, const char *const *args, int timeout_ms, harness_run_t *r)
{
    harness_run_free(r);
    r->code = -1;
    r->out = strdup("");
    r->err = strdup("");
    char *argv[S_ARGS_MAX + 2];
    size_t n = 0;
    argv[n++] = (char *)binary;
    const char *base = strrchr(binary, '/');
    snprintf(r->cmd, sizeof r->cmd, "%s", base ? base + 1 : binary);
    for (; args[n - 1] && n <= S_ARGS_MAX; n++) {
        argv[n] = (char *)args[n - 1];
        size_t used = strlen(r->cmd);
        snprintf(r->cmd + used, sizeof r->cmd - used, " %s", argv[n]);
    }
    argv[n] = NULL;

    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0)
        return -1;
    if (pipe(err_pipe) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(out_pipe[i], F_SETFD, FD_CLOEXEC);
        fcntl(err_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec: the test has zmq threads. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
            dup2(err_pipe[1], STDERR_FILENO) < 0)
            _exit(127);
        execv(argv[0], argv);
        static const char msg[] = "exec of ocopctl failed\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        return -1;
    }

    int64_t deadline = harness_mono_ms() + timeout_ms;
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    char *bufs[2] = {NULL, NULL};
    size_t lens[2] = {0, 0}, caps[2] = {0, 0};
    int open_fds = 2;
    while (open_fds > 0) {
        int64_t left = deadline - harness_mono_ms();
        if (left <= 0) {
            r->timed_out = 1;
            break;
        }
        int got = poll(fds, 2, (int)left);
        if (got < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2 && got > 0; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[8192];
            ssize_t k = read(fds[i].fd, chunk, sizeof chunk);
            if (k > 0) {
                s_append(&bufs[i], &lens[i], &caps[i], chunk, (size_t)k);
            } else if (k == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    /* Both pipes closed: the process is exiting; still bounded by the same deadline. */
    int status = 0;
    pid_t done = 0;
    while (!r->timed_out && (done = waitpid(pid, &status, WNOHANG)) == 0) {
        if (harness_mono_ms() >= deadline)
            r->timed_out = 1;
        else
            s_sleep_ms(5);
    }
    if (r->timed_out || done != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    if (bufs[0]) {
        free(r->out);
        r->out = bufs[0];
    }
    if (bufs[1]) {
        free(r->err);
        r->err = bufs[1];
    }
    r->out_len = lens[0];
    r->err_len = lens[1];
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    return r->code;
}
