// Times a command the way the peers table needs it: wall time from fork to reap and the child's
// own CPU time (user + system, from wait4's rusage), stdout to /dev/null, each run killed after a
// cap. Used for 'ss -tan' and 'ss -tanp', so their times include neither a shell nor
// 'ip netns exec' (run-timed itself is started inside the namespace; the child inherits it).
//
//   run-timed REPEATS CAP_SECONDS COMMAND [ARGS...]
//
// Prints one line per run: "run I wall_ns W cpu_ns C status S" (S: the exit status, or
// "timeout" when the cap killed it: then no further run is made). Exit code 0 when every run
// exited 0, 1 otherwise, 2 on usage.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;
static volatile sig_atomic_t timed_out;

static void on_alarm(int signal_number) {
  (void)signal_number;
  timed_out = 1;
  if (child > 0) kill(child, SIGKILL);
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int main(int argc, char **argv) {
  int repeats = argc > 3 ? atoi(argv[1]) : 0;
  int cap = argc > 3 ? atoi(argv[2]) : 0;
  if (repeats < 1 || repeats > 1000 || cap < 1 || cap > 3600) {
    fprintf(stderr, "usage: run-timed REPEATS(1-1000) CAP_SECONDS(1-3600) COMMAND [ARGS...]\n");
    return 2;
  }

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  sigaction(SIGALRM, &action, NULL);

  int failed = 0;
  for (int run = 0; run < repeats && !timed_out; run++) {
    uint64_t start = now_ns();
    pid_t pid = fork();
    if (pid < 0) {
      perror("run-timed: fork");
      return 1;
    }
    if (pid == 0) {
      int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null < 0 || dup2(null, STDOUT_FILENO) < 0) _exit(126);
      execvp(argv[3], argv + 3);
      fprintf(stderr, "run-timed: %s: %s\n", argv[3], strerror(errno));
      _exit(127);
    }
    child = pid;
    alarm((unsigned)cap);
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
      if (errno != EINTR) {
        perror("run-timed: wait4");
        return 1;
      }
    }
    alarm(0);
    child = 0;
    uint64_t wall = now_ns() - start;
    uint64_t cpu = (uint64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000u
                   + (uint64_t)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000u;
    if (timed_out) {
      printf("run %d wall_ns %llu cpu_ns %llu status timeout\n", run, (unsigned long long)wall, (unsigned long long)cpu);
      failed = 1;
    } else {
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      printf("run %d wall_ns %llu cpu_ns %llu status %d\n", run, (unsigned long long)wall, (unsigned long long)cpu, code);
      failed |= code != 0;
    }
    fflush(stdout);
  }
  return failed;
}
