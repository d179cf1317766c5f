// Batched UDP I/O for dnsd's UDP listener: recvmmsg/sendmmsg over a fixed set of slots.
// Glibc's Swift module does not expose recvmmsg, sendmmsg or struct mmsghdr (they need
// _GNU_SOURCE), so this small C target owns them.
#ifndef DNSD_DATAGRAM_BATCH_H
#define DNSD_DATAGRAM_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/// `count` slots, each a buffer of `slot_size` bytes and a peer address.
typedef struct dnsd_batch dnsd_batch;

dnsd_batch *dnsd_batch_create(int count, int slot_size);
/// Whether batches created from now on coalesce datagrams on send (1, the default) or not (0).
void dnsd_batch_default_segmentation(int enabled);
void dnsd_batch_destroy(dnsd_batch *batch);

/// The buffer of slot `index` (`slot_size` bytes).
uint8_t *dnsd_batch_buffer(dnsd_batch *batch, int index);
/// The peer address of slot `index` and its length.
struct sockaddr *dnsd_batch_address(dnsd_batch *batch, int index);
socklen_t dnsd_batch_address_length(dnsd_batch *batch, int index);
void dnsd_batch_set_address(dnsd_batch *batch, int index, const struct sockaddr *address, socklen_t length);
/// Bytes received into slot `index` by the last receive.
int dnsd_batch_length(dnsd_batch *batch, int index);
/// Sends slot `index` without an address (a connected socket's peer).
void dnsd_batch_clear_address(dnsd_batch *batch, int index);
/// Bytes slot `index` sends on the next send.
void dnsd_batch_set_length(dnsd_batch *batch, int index, int length);

/// Waits for at least one datagram, then takes what is queued, up to the slot count
/// (recvmmsg with MSG_WAITFORONE). Returns the number received, or -1 with errno set.
int dnsd_batch_receive(int fd, dnsd_batch *batch);
/// Takes what is queued without waiting (MSG_DONTWAIT): the number received, or -1 with
/// errno set (EAGAIN when nothing was queued).
int dnsd_batch_receive_queued(int fd, dnsd_batch *batch);
/// Sends slots 0..<count (each to its address); retries the rest after a partial send.
/// Slots to the same address with the same length (up to 1232 bytes) leave as one message
/// the kernel segments (UDP_SEGMENT); where the kernel or route refuses that, this batch
/// sends them one by one from then on. Returns how many datagrams were sent, or -1 with
/// errno set when none could be.
int dnsd_batch_send(int fd, dnsd_batch *batch, int count);

/// A UDP socket bound to `address` with SO_REUSEADDR and SO_REUSEPORT (one per worker on the
/// same port) and a receive timeout of `timeout_ms`, so a worker sees its stop flag.
/// Returns the descriptor, or -1 with errno set.
int dnsd_udp_socket(const struct sockaddr *address, socklen_t length, int timeout_ms);
/// The port a socket is bound to (for port 0), or -1.
int dnsd_bound_port(int fd);

/// A non-blocking UDP socket connected to `address` (so bound to a kernel-chosen random port):
/// its descriptor, or -1 with errno set.
int dnsd_udp_connected_socket(const struct sockaddr *address, socklen_t length);
/// Moves the connected UDP socket `fd` to a new kernel-chosen random port, still connected to
/// `address`: disconnecting (AF_UNSPEC) releases a port the kernel chose (Linux unhashes a
/// socket not bound by hand), and connecting again picks a fresh one. Clears an error left
/// from the old port (an ICMP unreachable not yet read), which must not fail the new queries.
/// Two syscalls (three with the error check) instead of socket, connect, epoll_ctl and close.
/// Returns 0, or -1 with errno set (the socket is then unusable: close it).
int dnsd_udp_reconnect(int fd, const struct sockaddr *address, socklen_t length);
/// A non-blocking UDP socket of `family` (AF_INET or AF_INET6), not yet bound: its first
/// `sendto` binds it to a kernel-chosen random port. The descriptor, or -1 with errno set.
int dnsd_udp_unbound_socket(int family);
/// Releases the port of an unconnected UDP socket the kernel bound on its first send, so the
/// next send binds a new random one (disconnect, as in `dnsd_udp_reconnect`). Returns 0, or
/// -1 with errno set.
int dnsd_udp_release_port(int fd);
/// Whether two socket addresses name the same IPv4/IPv6 address and port.
int dnsd_sockaddr_equal(const struct sockaddr *a, socklen_t a_length, const struct sockaddr *b, socklen_t b_length);
/// Fills `buffer` from the kernel's CSPRNG (getrandom, which Glibc's Swift module lacks).
/// Returns 0, or -1 when it could not.
int dnsd_random_fill(void *buffer, size_t length);

/// An epoll set for one thread's sockets (level-triggered, readable only).
/// Returns its descriptor, or -1 with errno set.
int dnsd_poller_create(void);
/// Adds `fd` to the set (0), or -1 with errno set. A closed descriptor leaves the set by itself.
int dnsd_poller_add(int poller, int fd);
/// Takes `fd` out of the set (0), or -1 with errno set.
int dnsd_poller_remove(int poller, int fd);
/// Waits up to `timeout_ms` for readable descriptors and writes up to `max` of them to
/// `ready`. Returns how many, 0 on timeout, or -1 with errno set (EINTR included).
int dnsd_poller_wait(int poller, int *ready, int max, int timeout_ms);

/// Names the calling thread (pthread_setname_np, another _GNU_SOURCE function); at most 15 bytes.
void dnsd_name_thread(const char *name);

/// Puts the calling thread under SCHED_BATCH (1) or SCHED_OTHER (0); 0 or -1 with errno.
int dnsd_thread_batch_scheduling(int batch);

/// Sets the calling thread's timer slack (how late the kernel may end its sleeps).
int dnsd_thread_timer_slack(long nanoseconds);

/// Sleeps `microseconds` (restarted on EINTR).
void dnsd_nap(int microseconds);


// A netlink socket told of every interface address change (address_watch.c); a receive waits
// at most `timeout_ms`. -1 when netlink is unavailable.
int dnsd_address_watch_socket(int timeout_ms);
// Waits for a change: 1 when one came, 0 on timeout or error.
int dnsd_address_watch_wait(int fd);

#endif
