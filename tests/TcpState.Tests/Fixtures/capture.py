#!/usr/bin/env python3
"""Open loopback TCP sockets in known states and capture the kernel's view of them.

Must run inside a fresh network namespace with `lo` up (capture.sh does that):

    ip netns exec NS python3 capture.py OUTDIR

Python 3 standard library only. Every wait is bounded; the whole run takes ~2 s.

Socket layout (client ports are bound explicitly so the fixtures are stable):

  IPv4 (AF_INET)
    LISTEN       127.0.0.1:8080  backlog 4
    LISTEN       127.0.0.1:9090  backlog 4
    LISTEN       127.0.0.1:6060  backlog 1, never accept()ed
    ESTABLISHED  127.0.0.1:40001..40003 <-> 127.0.0.1:8080 (3 accepted pairs = 6 sockets)
    FIN_WAIT2    127.0.0.1:40011 -> :8080 client did shutdown(SHUT_WR), kept open
    CLOSE_WAIT   127.0.0.1:8080 -> :40011 server side, never closes
    FIN_WAIT2    127.0.0.1:40012 -> :8080 client did close() (orphan)
    CLOSE_WAIT   127.0.0.1:8080 -> :40012 server side, never closes
    TIME_WAIT    127.0.0.1:8080 -> :40021 server closed first, then the client
    TIME_WAIT    127.0.0.1:40022 -> :9090 client closed first, then the server
    ESTABLISHED  127.0.0.1:40031, 40032 -> :6060 (handshake done, sitting in the
                 full accept queue; their server halves are ESTABLISHED too)
    SYN_SENT     127.0.0.1:40033 -> :6060 (SYN dropped: accept queue full)
    ESTABLISHED  127.0.0.1:40051 -> 127.0.0.1:7070 (IPv4 client of the dual-stack listener)

  IPv6 (AF_INET6)
    LISTEN       [::1]:8443  IPV6_V6ONLY=1, backlog 4
    LISTEN       [::]:7070   IPV6_V6ONLY=0 (dual stack), backlog 4; ss prints it as *:7070
    ESTABLISHED  [::1]:40041 <-> [::1]:8443 (1 accepted pair = 2 sockets)
    ESTABLISHED  [::ffff:127.0.0.1]:7070 <- [::ffff:127.0.0.1]:40051 (accepted, v4-mapped)
"""

import collections
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import time

# --- netlink / sock_diag constants -------------------------------------------------
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300  # NLM_F_ROOT | NLM_F_MATCH
NLMSG_ERROR = 2
NLMSG_DONE = 3
NL_SEQ = 123456
ALL_STATES = 0xFFF
LISTEN_ONLY = 1 << 10  # TCP_LISTEN == 10

TCP_STATES = {  # kernel enum -> label used in expected.json
    1: "established", 2: "syn_sent", 3: "syn_recv", 4: "fin_wait1", 5: "fin_wait2",
    6: "time_wait", 7: "close", 8: "close_wait", 9: "last_ack", 10: "listen", 11: "closing",
}
LABELS = list(TCP_STATES.values())
SS_STATES = {
    "ESTAB": "established", "SYN-SENT": "syn_sent", "SYN-RECV": "syn_recv",
    "FIN-WAIT-1": "fin_wait1", "FIN-WAIT-2": "fin_wait2", "TIME-WAIT": "time_wait",
    "UNCONN": "close", "CLOSE": "close", "CLOSE-WAIT": "close_wait",
    "LAST-ACK": "last_ack", "LISTEN": "listen", "CLOSING": "closing",
}

# The layout above, as per-family state counts. Checked against ss at the end.
INTENDED = {
    "inet": {"listen": 3, "established": 11, "syn_sent": 1, "fin_wait2": 2,
             "close_wait": 2, "time_wait": 2},
    "inet6": {"listen": 2, "established": 3},
}

TIMEOUT = 2.0   # per blocking socket operation
STEP = 0.05     # pause between ordered close()s so each FIN is processed
SETTLE = 0.5    # final settle time before capturing

keep = []  # every socket we open stays referenced until the capture is done


def sock(family=socket.AF_INET, v6only=None, bind=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    if bind is not None:
        s.bind(bind)
    keep.append(s)
    return s


def listener(addr, backlog, family=socket.AF_INET, v6only=None):
    s = sock(family, v6only)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr)
    s.listen(backlog)
    return s


def pair(lst, server_addr, client_addr, family=socket.AF_INET):
    c = sock(family, bind=client_addr)
    c.connect(server_addr)
    a, _ = lst.accept()
    a.settimeout(TIMEOUT)
    keep.append(a)
    return c, a


def wait_eof(s):
    """Block (bounded) until the peer's FIN has arrived on s, i.e. recv() returns b''."""
    if s.recv(1) != b"":
        raise RuntimeError("expected EOF from peer")


def build_layout():
    l8080 = listener(("127.0.0.1", 8080), 4)
    l9090 = listener(("127.0.0.1", 9090), 4)
    l8443 = listener(("::1", 8443), 4, socket.AF_INET6, v6only=True)
    l7070 = listener(("::", 7070), 4, socket.AF_INET6, v6only=False)
    l6060 = listener(("127.0.0.1", 6060), 1)

    # 3 ESTABLISHED pairs to 8080
    for port in (40001, 40002, 40003):
        pair(l8080, ("127.0.0.1", 8080), ("127.0.0.1", port))

    # 2 CLOSE_WAIT (server side) / FIN_WAIT2 (client side)
    c, a = pair(l8080, ("127.0.0.1", 8080), ("127.0.0.1", 40011))
    c.shutdown(socket.SHUT_WR)          # client keeps its full socket in FIN_WAIT2
    wait_eof(a)                       # server saw FIN -> CLOSE_WAIT, never closes
    c, a = pair(l8080, ("127.0.0.1", 8080), ("127.0.0.1", 40012))
    c.close()                           # orphaned client -> FIN_WAIT2
    keep.remove(c)
    wait_eof(a)

    # TIME_WAIT on the server side of 8080: server closes first
    c, a = pair(l8080, ("127.0.0.1", 8080), ("127.0.0.1", 40021))
    a.close()
    keep.remove(a)
    wait_eof(c)                       # client in CLOSE_WAIT
    c.close()                           # client LAST_ACK -> CLOSED, server -> TIME_WAIT
    keep.remove(c)

    # TIME_WAIT on the client side toward 9090: client closes first
    c, a = pair(l9090, ("127.0.0.1", 9090), ("127.0.0.1", 40022))
    c.close()
    keep.remove(c)
    wait_eof(a)
    a.close()
    keep.remove(a)

    # IPv6 ESTABLISHED pair over ::1 to 8443
    pair(l8443, ("::1", 8443), ("::1", 40041), socket.AF_INET6)

    # IPv4 client to the dual-stack listener -> accepted socket is AF_INET6, v4-mapped
    pair(l7070, ("127.0.0.1", 7070), ("127.0.0.1", 40051), socket.AF_INET)

    # Full accept queue on 6060: backlog 1 admits 2 connections (queue is "full"
    # when qlen > backlog); the 3rd SYN is dropped, leaving that client in SYN_SENT.
    for port in (40031, 40032, 40033):
        c = sock(bind=("127.0.0.1", port))
        c.setblocking(False)
        rc = c.connect_ex(("127.0.0.1", 6060))
        if rc not in (0, errno.EINPROGRESS):
            raise OSError(rc, os.strerror(rc))
        time.sleep(STEP)


# --- capture -------------------------------------------------------------------------

def netlink_dump(family, states):
    """Return the concatenated raw datagrams of one SOCK_DIAG_BY_FAMILY dump."""
    req = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, states) + bytes(48)
    hdr = struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY,
                      NLM_F_REQUEST | NLM_F_DUMP, NL_SEQ, 0)
    assert len(hdr + req) == 72
    out = bytearray()
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG) as nl:
        nl.settimeout(TIMEOUT)
        nl.sendto(hdr + req, (0, 0))
        for _ in range(10000):  # bounded
            data, _, flags, _ = nl.recvmsg(65536)
            if flags & socket.MSG_TRUNC:
                raise RuntimeError("netlink datagram truncated")
            out += data
            off, done = 0, False
            while off + 16 <= len(data):
                ln, typ, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                if ln < 16:
                    raise RuntimeError(f"bad nlmsg_len {ln}")
                if typ == NLMSG_ERROR:
                    (err,) = struct.unpack_from("=i", data, off + 16)
                    raise OSError(-err, "netlink error: " + os.strerror(-err))
                if typ == NLMSG_DONE:
                    done = True
                off += (ln + 3) & ~3
            if done:
                return bytes(out)
    raise RuntimeError("no NLMSG_DONE")


def parse_ss(text):
    """Rows of `ss -tan`/`ss -ltn` as dicts; family decided from the address format."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("State"):
        raise RuntimeError("unexpected ss header: %r" % lines[:1])
    rows = []
    for line in lines[1:]:
        f = line.split()
        if not f:
            continue
        state, recv_q, send_q, local, peer = f[:5]
        addr, _, port = local.rpartition(":")
        # IPv6 addresses are bracketed ([::1], [::ffff:127.0.0.1]). A bare "*" is how
        # ss prints the AF_INET6 wildcard of a dual-stack (IPV6_V6ONLY=0) socket;
        # AF_INET wildcards print as 0.0.0.0.
        family = "inet6" if addr.startswith("[") or addr == "*" else "inet"
        rows.append({"state": SS_STATES[state], "recv_q": int(recv_q),
                     "send_q": int(send_q), "family": family, "local": local,
                     "port": int(port), "peer": peer})
    return rows


def histogram(rows):
    h = {fam: {lab: 0 for lab in LABELS} for fam in ("inet", "inet6")}
    for r in rows:
        h[r["family"]][r["state"]] += 1
    return h


def netlink_histogram(blob):
    h = {lab: 0 for lab in LABELS}
    off = 0
    while off < len(blob):
        ln, typ = struct.unpack_from("=IH", blob, off)
        if typ == SOCK_DIAG_BY_FAMILY:
            h[TCP_STATES[blob[off + 17]]] += 1  # inet_diag_msg.idiag_state
        off += (ln + 3) & ~3
    return h


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT).stdout


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: capture.py OUTDIR  (run inside a fresh netns, see capture.sh)")
    outdir = sys.argv[1]
    t0 = time.monotonic()

    build_layout()
    time.sleep(SETTLE)

    files = {}
    for name, fam, states in (("netlink-inet.bin", socket.AF_INET, ALL_STATES),
                              ("netlink-inet6.bin", socket.AF_INET6, ALL_STATES),
                              ("netlink-listen-inet.bin", socket.AF_INET, LISTEN_ONLY),
                              ("netlink-listen-inet6.bin", socket.AF_INET6, LISTEN_ONLY)):
        files[name] = netlink_dump(fam, states)
    for name, path in (("proc-net-tcp.txt", "/proc/net/tcp"),
                       ("proc-net-tcp6.txt", "/proc/net/tcp6")):
        with open(path, "rb") as f:
            files[name] = f.read()
    ss_tan = run(["ss", "-tan"])
    ss_ltn = run(["ss", "-ltn"])
    files["ss-tan.txt"] = ss_tan
    files["ss-ltn.txt"] = ss_ltn

    counts = histogram(parse_ss(ss_tan.decode()))
    listeners = [{"family": r["family"], "local": r["local"], "port": r["port"],
                  "recv_q": r["recv_q"], "send_q": r["send_q"]}
                 for r in parse_ss(ss_ltn.decode())]
    listeners.sort(key=lambda r: (r["family"], r["port"]))
    expected = {
        "source": "computed from ss-tan.txt (state counts) and ss-ltn.txt (listeners)",
        "kernel": os.uname().release,
        "netlink_seq": NL_SEQ,
        "inet": counts["inet"],
        "inet6": counts["inet6"],
        "listeners": listeners,
    }
    files["expected.json"] = (json.dumps(expected, indent=2) + "\n").encode()

    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        print(f"capture.py: wrote {name} ({len(data)} bytes)")

    # Self-checks: the layout came out as intended, and netlink agrees with ss.
    ok = True
    for fam in ("inet", "inet6"):
        want = {lab: INTENDED[fam].get(lab, 0) for lab in LABELS}
        if counts[fam] != want:
            print(f"capture.py: WARNING {fam}: ss shows {counts[fam]}, intended {want}",
                  file=sys.stderr)
            ok = False
        nl = netlink_histogram(files[f"netlink-{fam}.bin"])
        if nl != counts[fam]:
            print(f"capture.py: WARNING {fam}: netlink {nl} != ss {counts[fam]}",
                  file=sys.stderr)
            ok = False

    for s in keep:
        s.close()
    print(f"capture.py: done in {time.monotonic() - t0:.2f}s")
    if not ok:
        sys.exit(2)


if __name__ == "__main__":
    main()
