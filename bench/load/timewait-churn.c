// Fills a network namespace with client-side TIME_WAIT sockets: opens and closes COUNT loopback
// connections as fast as it can, the client closing first so that it is the active closer and
// its side lingers in TIME_WAIT (60 s, TCP_TIMEWAIT_LEN) while the server side is closed at once.
// Run it inside the namespace (ip netns exec); it holds no socket afterwards.
//
//   timewait-churn COUNT FIRST_PORT PORTS ADDRESSES WORKERS MAX_SECONDS
//
// Destinations are 127.0.0.2 .. 127.0.0.(1+ADDRESSES) x FIRST_PORT .. FIRST_PORT+PORTS-1, one
// listener each (all of 127/8 is local on 'lo'). A client 4-tuple in TIME_WAIT cannot be reused
// (with net.ipv4.tcp_tw_reuse=0), so each destination holds at most the ephemeral port range
// (net.ipv4.ip_local_port_range); spreading COUNT over many destinations keeps each one well
// below it, so connect() never has to search a nearly full range. WORKERS processes (fork) take
// disjoint destinations. Each worker connects one client per destination in turn, closes it,
// and every BATCH connections accepts and closes the server sides (never more than BATCH in a
// listener's queue, well below its backlog, so no SYN is ever dropped and retried).
//
// Bounded: at most COUNT connections (<= 4,000,000) and MAX_SECONDS (<= 600) of wall time.
// Prints "worker W made N errors E" per worker, then "done in S s"; exits 0 when all COUNT were made, 1 otherwise,
// 2 on usage.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define BACKLOG 4096
#define MAX_ERRORS 1000

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct sockaddr_in destination(int index, int first_port, int ports) {
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((uint16_t)(first_port + index % ports));
  address.sin_addr.s_addr = htonl(0x7F000002u + (uint32_t)(index / ports));
  return address;
}

static void drain(const int *listeners, int count) {
  for (int i = 0; i < count; i++) {
    for (;;) {
      int accepted = accept4(listeners[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (accepted < 0) break;
      close(accepted);
    }
  }
}

// One worker: COUNT connections over its destinations (every WORKERS-th, starting at WORKER).
static int work(long count, int worker, int workers, int destinations, const int *listeners, int first_port, int ports, double deadline) {
  int mine[destinations];
  int own = 0;
  for (int d = worker; d < destinations; d += workers) mine[own++] = d;
  int my_listeners[own];
  for (int i = 0; i < own; i++) my_listeners[i] = listeners[mine[i]];

  long made = 0, errors = 0;
  int next = 0, in_batch = 0;
  while (made < count && errors < MAX_ERRORS) {
    struct sockaddr_in address = destination(mine[next], first_port, ports);
    next = (next + 1) % own;
    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0) {
      errors++;
      continue;
    }
    if (connect(client, (struct sockaddr *)&address, sizeof address) == 0) {
      made++;
    } else {
      errors++;
    }
    close(client);
    if (++in_batch == BATCH) {
      in_batch = 0;
      drain(my_listeners, own);
      if (now_s() > deadline) break;
    }
  }
  drain(my_listeners, own);
  printf("worker %d made %ld errors %ld\n", worker, made, errors);
  return made == count ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: timewait-churn COUNT FIRST_PORT PORTS ADDRESSES WORKERS MAX_SECONDS\n");
    return 2;
  }
  long count = atol(argv[1]);
  int first_port = atoi(argv[2]), ports = atoi(argv[3]), addresses = atoi(argv[4]), workers = atoi(argv[5]);
  int max_seconds = atoi(argv[6]);
  if (count < 1 || count > 4000000 || first_port < 1024 || ports < 1 || first_port + ports > 65536 || addresses < 1
      || addresses > 250 || workers < 1 || workers > 16 || max_seconds < 1 || max_seconds > 600 || ports * addresses > 4096
      || ports * addresses < workers) {
    fprintf(stderr, "timewait-churn: argument out of range\n");
    return 2;
  }

  int destinations = ports * addresses;
  int listeners[destinations];
  for (int d = 0; d < destinations; d++) {
    struct sockaddr_in address = destination(d, first_port, ports);
    int one = 1;
    listeners[d] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listeners[d] < 0 || setsockopt(listeners[d], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
        || bind(listeners[d], (struct sockaddr *)&address, sizeof address) < 0 || listen(listeners[d], BACKLOG) < 0) {
      fprintf(stderr, "timewait-churn: listener %s:%d: %s\n", inet_ntoa(address.sin_addr), ntohs(address.sin_port), strerror(errno));
      return 1;
    }
  }

  double start = now_s(), deadline = start + max_seconds;
  fflush(stdout);
  pid_t children[workers];
  for (int w = 0; w < workers; w++) {
    long share = count / workers + (w < count % workers ? 1 : 0);
    children[w] = fork();
    if (children[w] < 0) {
      perror("timewait-churn: fork");
      return 1;
    }
    if (children[w] == 0) {
      int code = work(share, w, workers, destinations, listeners, first_port, ports, deadline);
      fflush(stdout);
      _exit(code);
    }
  }

  int failed = 0;
  for (int w = 0; w < workers; w++) {
    int status;
    while (waitpid(children[w], &status, 0) < 0 && errno == EINTR) {
    }
    failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  }
  printf("done in %.2f s%s\n", now_s() - start, failed ? ", INCOMPLETE" : "");
  return failed;
}
