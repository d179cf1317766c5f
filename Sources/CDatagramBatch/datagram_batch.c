#define _GNU_SOURCE
#include "datagram_batch.h"
#include "batch_layout.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

dnsd_batch *dnsd_batch_create(int count, int slot_size) {
    dnsd_batch *batch = calloc(1, sizeof(dnsd_batch));
    if (!batch) return NULL;
    batch->count = count;
    batch->slot_size = slot_size;
    batch->messages = calloc((size_t)count, sizeof(struct mmsghdr));
    batch->vectors = calloc((size_t)count, sizeof(struct iovec));
    batch->addresses = calloc((size_t)count, sizeof(struct sockaddr_storage));
    batch->buffers = malloc((size_t)count * (size_t)slot_size);
    if (!batch->messages || !batch->vectors || !batch->addresses || !batch->buffers ||
        dnsd_send_plan_init(&batch->plan, count) < 0) {
        dnsd_batch_destroy(batch);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        batch->vectors[i].iov_base = batch->buffers + (size_t)i * (size_t)slot_size;
        batch->vectors[i].iov_len = (size_t)slot_size;
        batch->messages[i].msg_hdr.msg_iov = &batch->vectors[i];
        batch->messages[i].msg_hdr.msg_iovlen = 1;
        batch->messages[i].msg_hdr.msg_name = &batch->addresses[i];
        batch->messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    }
    return batch;
}

void dnsd_batch_destroy(dnsd_batch *batch) {
    if (!batch) return;
    free(batch->messages);
    free(batch->vectors);
    free(batch->addresses);
    free(batch->buffers);
    dnsd_send_plan_free(&batch->plan);
    free(batch);
}

uint8_t *dnsd_batch_buffer(dnsd_batch *batch, int index) {
    return batch->buffers + (size_t)index * (size_t)batch->slot_size;
}

struct sockaddr *dnsd_batch_address(dnsd_batch *batch, int index) {
    return (struct sockaddr *)&batch->addresses[index];
}

socklen_t dnsd_batch_address_length(dnsd_batch *batch, int index) {
    return batch->messages[index].msg_hdr.msg_namelen;
}

void dnsd_batch_set_address(dnsd_batch *batch, int index, const struct sockaddr *address, socklen_t length) {
    if (length > sizeof(struct sockaddr_storage)) length = sizeof(struct sockaddr_storage);
    memcpy(&batch->addresses[index], address, length);
    batch->messages[index].msg_hdr.msg_namelen = length;
}

void dnsd_batch_clear_address(dnsd_batch *batch, int index) { batch->messages[index].msg_hdr.msg_namelen = 0; }

int dnsd_batch_length(dnsd_batch *batch, int index) {
    return (int)batch->messages[index].msg_len;
}

void dnsd_batch_set_length(dnsd_batch *batch, int index, int length) {
    batch->vectors[index].iov_len = (size_t)length;
}

static int batch_receive(int fd, dnsd_batch *batch, int flags) {
    for (int i = 0; i < batch->count; i++) {
        batch->vectors[i].iov_len = (size_t)batch->slot_size;
        batch->messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        batch->messages[i].msg_hdr.msg_flags = 0;
    }
    return recvmmsg(fd, batch->messages, (unsigned int)batch->count, flags, NULL);
}

int dnsd_batch_receive(int fd, dnsd_batch *batch) { return batch_receive(fd, batch, MSG_WAITFORONE); }

int dnsd_batch_receive_queued(int fd, dnsd_batch *batch) { return batch_receive(fd, batch, MSG_DONTWAIT); }

int dnsd_udp_socket(const struct sockaddr *address, socklen_t length, int timeout_ms) {
    int fd = socket(address->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    struct timeval timeout = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0 ||
        (address->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
        bind(fd, address, length) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int dnsd_bound_port(int fd) {
    struct sockaddr_storage bound;
    socklen_t length = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &length) < 0) return -1;
    if (bound.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&bound)->sin_port);
    if (bound.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    return -1;
}

void dnsd_name_thread(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    pthread_setname_np(pthread_self(), truncated);
}

int dnsd_udp_connected_socket(const struct sockaddr *address, socklen_t length) {
    int fd = socket(address->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, address, length) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int dnsd_udp_release_port(int fd) {
    struct sockaddr unspecified = {.sa_family = AF_UNSPEC};
    return connect(fd, &unspecified, sizeof unspecified);
}

int dnsd_udp_reconnect(int fd, const struct sockaddr *address, socklen_t length) {
    if (dnsd_udp_release_port(fd) < 0) return -1;
    // Only a connected socket is told of ICMP errors, so only here can one be pending.
    int pending = 0;
    socklen_t size = sizeof pending;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &size) < 0) return -1;
    return connect(fd, address, length);
}

int dnsd_udp_unbound_socket(int family) {
    return socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int dnsd_sockaddr_equal(const struct sockaddr *a, socklen_t a_length, const struct sockaddr *b, socklen_t b_length) {
    if (a->sa_family != b->sa_family) return 0;
    if (a->sa_family == AF_INET) {
        if (a_length < sizeof(struct sockaddr_in) || b_length < sizeof(struct sockaddr_in)) return 0;
        const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->sa_family == AF_INET6) {
        if (a_length < sizeof(struct sockaddr_in6) || b_length < sizeof(struct sockaddr_in6)) return 0;
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
        return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return 0;
}

int dnsd_random_fill(void *buffer, size_t length) {
    uint8_t *bytes = buffer;
    while (length > 0) {
        ssize_t got = getrandom(bytes, length, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        bytes += got;
        length -= (size_t)got;
    }
    return 0;
}

int dnsd_poller_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int dnsd_poller_add(int poller, int fd) {
    struct epoll_event event = {.events = EPOLLIN, .data = {.fd = fd}};
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

int dnsd_poller_remove(int poller, int fd) { return epoll_ctl(poller, EPOLL_CTL_DEL, fd, NULL); }

int dnsd_poller_wait(int poller, int *ready, int max, int timeout_ms) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int count = epoll_wait(poller, events, max, timeout_ms);
    for (int i = 0; i < count; i++) ready[i] = events[i].data.fd;
    return count;
}

int dnsd_thread_batch_scheduling(int batch) {
    struct sched_param param = {0};
    return sched_setscheduler(0, batch ? SCHED_BATCH : SCHED_OTHER, &param);
}

int dnsd_thread_timer_slack(long nanoseconds) { return prctl(PR_SET_TIMERSLACK, (unsigned long)nanoseconds, 0, 0, 0); }

void dnsd_nap(int microseconds) {
    struct timespec nap = {.tv_sec = 0, .tv_nsec = (long)microseconds * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, &nap) == EINTR) {}
}
