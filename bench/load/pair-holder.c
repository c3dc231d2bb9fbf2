// Holds ESTABLISHED and CLOSE_WAIT sockets on loopback for the peers benchmark, cheaply enough
// for a million: one listener on 127.0.0.1:PORT, PAIRS connected pairs with both ends open
// (2 ESTABLISHED sockets, 2 fds each), and CLOSE_WAIT pairs whose client was closed (the server
// side stays in CLOSE_WAIT, held; the client side is an orphaned FIN_WAIT2 without fd). Run it
// inside the namespace (ip netns exec). It prints "READY PID FDS" once everything is built and
// holds the sockets until its stdin reaches EOF or TIMEOUT seconds pass, then exits (closing them).
//
//   pair-holder PORT PAIRS CLOSE_WAIT_PAIRS TIMEOUT_SECONDS
//
// Bounded: 2*PAIRS + CLOSE_WAIT_PAIRS + 1 fds must fit the open-file limit (checked first), and
// TIMEOUT is at most 7200 s. Exit code 0, 1 when a socket call fails (message on stderr), 2 on
// usage. SocketHolder (tests/) does the same with checks of its own, but parses the whole
// /proc/net/tcp to verify each holder: at a million sockets that costs minutes and ~300 MB per
// process, which this machine cannot give 50 holders.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 512

static void fail(const char *what) {
  fprintf(stderr, "pair-holder: %s: %s\n", what, strerror(errno));
  exit(1);
}

// Connects COUNT clients, accepting after every batch so that the backlog never overflows.
// Client fds go to clients[], accepted ones to servers[].
static void connect_pairs(int listener, const struct sockaddr_in *address, int count, int *clients, int *servers) {
  int accepted = 0;
  for (int i = 0; i < count; i++) {
    clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (clients[i] < 0) fail("socket");
    if (connect(clients[i], (const struct sockaddr *)address, sizeof *address) < 0) fail("connect");
    if ((i + 1) % BATCH == 0 || i + 1 == count) {
      while (accepted <= i) {
        servers[accepted] = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (servers[accepted] < 0) fail("accept");
        accepted++;
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: pair-holder PORT PAIRS CLOSE_WAIT_PAIRS TIMEOUT_SECONDS\n");
    return 2;
  }
  int port = atoi(argv[1]), pairs = atoi(argv[2]), close_wait = atoi(argv[3]), timeout = atoi(argv[4]);
  struct rlimit limit;
  getrlimit(RLIMIT_NOFILE, &limit);
  long fds = 2L * pairs + close_wait + 1 + 8;
  if (port < 1024 || port > 65535 || pairs < 0 || close_wait < 0 || timeout < 1 || timeout > 7200 || (rlim_t)fds > limit.rlim_cur) {
    fprintf(stderr, "pair-holder: argument out of range (needs %ld fds, the limit is %llu)\n", fds, (unsigned long long)limit.rlim_cur);
    return 2;
  }

  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) fail("listener");
  if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) fail("bind");
  if (listen(listener, 4096) < 0) fail("listen");

  int *fd = malloc(sizeof(int) * (size_t)(2 * pairs + 2 * close_wait + 1));
  if (fd == NULL) fail("malloc");
  connect_pairs(listener, &address, pairs, fd, fd + pairs);
  int *cw_clients = fd + 2 * pairs, *cw_servers = fd + 2 * pairs + close_wait;
  connect_pairs(listener, &address, close_wait, cw_clients, cw_servers);
  for (int i = 0; i < close_wait; i++) close(cw_clients[i]);

  printf("READY %d %ld\n", (int)getpid(), 2L * pairs + close_wait + 1);
  fflush(stdout);

  // Hold until stdin closes (the benchmark's signal) or the timeout.
  struct pollfd input = {.fd = STDIN_FILENO, .events = POLLIN};
  time_t deadline = time(NULL) + timeout;
  char buffer[256];
  while (time(NULL) < deadline) {
    int ready = poll(&input, 1, 1000);
    if (ready > 0 && (read(STDIN_FILENO, buffer, sizeof buffer) <= 0)) break;
    if (ready < 0 && errno != EINTR) break;
  }
  return 0;
}
