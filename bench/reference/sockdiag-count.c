// The ceiling the exporter is compared against: the least a program can do to count the TCP
// sockets of its network namespace over netlink sock_diag. One NETLINK_SOCK_DIAG socket, one
// SOCK_DIAG_BY_FAMILY dump per family (AF_INET, then AF_INET6), all states (0xFFF), no
// extensions, one static 64 KiB buffer; each reply message is counted by its idiag_state and
// nothing else is looked at. This is what the exporter's InetDiagReader asks the kernel for, so
// the difference between the two is the exporter's own user-space cost.
//
//   sockdiag-count [-r REPEATS]        (1 to 1000, default 1)
//
// Prints one line per repetition: "run I sockets N wall_ns W cpu_ns C" (CPU = this thread's user
// plus system time, CLOCK_THREAD_CPUTIME_ID), then "states S0 S1 ... S15" of the last run.
// Exit code 0, 1 on a netlink error, 2 on usage. Built by bench/run.sh with gcc -O2.
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static unsigned char buffer[64 * 1024] __attribute__((aligned(8)));
static uint64_t states[16];

static uint64_t now_ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// Dumps one family; returns the sockets counted, or -1 (message on stderr).
static long dump(int fd, unsigned char family, uint32_t sequence) {
  struct {
    struct nlmsghdr header;
    struct inet_diag_req_v2 request;
  } message;
  memset(&message, 0, sizeof message);
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = sequence;
  message.request.sdiag_family = family;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 0xFFF;
  if (send(fd, &message, sizeof message, 0) < 0) {
    perror("sockdiag-count: send");
    return -1;
  }

  long sockets = 0;
  for (;;) {
    ssize_t received = recv(fd, buffer, sizeof buffer, 0);
    if (received < 0) {
      if (errno == EINTR) continue;
      perror("sockdiag-count: recv");
      return -1;
    }
    if (received == 0) {
      fprintf(stderr, "sockdiag-count: dump ended without NLMSG_DONE\n");
      return -1;
    }
    int left = (int)received;
    for (struct nlmsghdr *header = (struct nlmsghdr *)buffer; NLMSG_OK(header, left); header = NLMSG_NEXT(header, left)) {
      if (header->nlmsg_seq != sequence) continue;
      if (header->nlmsg_type == NLMSG_DONE) return sockets;
      if (header->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *error = NLMSG_DATA(header);
        fprintf(stderr, "sockdiag-count: the kernel refused the dump: %s\n", strerror(-error->error));
        return -1;
      }
      if (header->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
        const struct inet_diag_msg *socket_message = NLMSG_DATA(header);
        states[socket_message->idiag_state & 15]++;
        sockets++;
      }
    }
  }
}

int main(int argc, char **argv) {
  int repeats = 1;
  if (argc == 3 && strcmp(argv[1], "-r") == 0) {
    repeats = atoi(argv[2]);
  } else if (argc != 1) {
    repeats = 0;
  }
  if (repeats < 1 || repeats > 1000) {
    fprintf(stderr, "usage: sockdiag-count [-r REPEATS]   (1 to 1000)\n");
    return 2;
  }

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    perror("sockdiag-count: socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
    return 1;
  }
  // The same bound on a silent kernel as the exporter's reader.
  struct timeval timeout = {.tv_sec = 30};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  uint32_t sequence = 0;
  for (int run = 0; run < repeats; run++) {
    memset(states, 0, sizeof states);
    uint64_t wall = now_ns(CLOCK_MONOTONIC), cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
    long inet = dump(fd, AF_INET, ++sequence);
    long inet6 = inet < 0 ? -1 : dump(fd, AF_INET6, ++sequence);
    uint64_t cpu_end = now_ns(CLOCK_THREAD_CPUTIME_ID), wall_end = now_ns(CLOCK_MONOTONIC);
    if (inet6 < 0) return 1;
    printf("run %d sockets %ld wall_ns %llu cpu_ns %llu\n", run, inet + inet6,
           (unsigned long long)(wall_end - wall), (unsigned long long)(cpu_end - cpu));
  }
  printf("states");
  for (int i = 0; i < 16; i++) printf(" %llu", (unsigned long long)states[i]);
  printf("\n");
  close(fd);
  return 0;
}
