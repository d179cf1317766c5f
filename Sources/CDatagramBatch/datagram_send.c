// dnsd_batch_send: sendmmsg with datagrams to the same peer and of the same length coalesced
// into one message the kernel segments (UDP GSO, Linux 4.18+). On loopback the coalesced
// message crosses the IP stack once instead of once per datagram, then is cut up in front of
// the receiving socket; with a NIC, the cut happens in the driver or the card.
#define _GNU_SOURCE
#include "datagram_batch.h"
#include "batch_layout.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

// The kernel's UDP_MAX_SEGMENTS on every version that has UDP_SEGMENT.
enum { most_segments = 64 };
// Only datagrams that fit any IPv6 path (1280 - 40 - 8) are coalesced: the kernel refuses a
// segment larger than the route's MTU, where a lone datagram would be fragmented instead.
enum { largest_segment = 1232 };
// A coalesced message stays under the 64 KiB an IP packet can carry.
enum { largest_message = 65000 };

static _Atomic int segmentation_default = 1;

void dnsd_batch_default_segmentation(int enabled) { segmentation_default = enabled ? 1 : 0; }

static size_t control_space(void) { return CMSG_SPACE(sizeof(uint16_t)); }

int dnsd_send_plan_init(dnsd_send_plan *plan, int capacity) {
    int table_size = 1;
    while (table_size < 2 * capacity) table_size <<= 1;
    plan->segmentation = segmentation_default;
    plan->table_mask = table_size - 1;
    plan->messages = calloc((size_t)capacity, sizeof(struct mmsghdr));
    plan->vectors = calloc((size_t)capacity, sizeof(struct iovec));
    plan->controls = calloc((size_t)capacity, control_space());
    plan->group_first = calloc((size_t)capacity, sizeof(int));
    plan->group_last = calloc((size_t)capacity, sizeof(int));
    plan->group_size = calloc((size_t)capacity, sizeof(int));
    plan->next_in_group = calloc((size_t)capacity, sizeof(int));
    plan->table = calloc((size_t)table_size, sizeof(int));
    if (!plan->messages || !plan->vectors || !plan->controls || !plan->group_first || !plan->group_last ||
        !plan->group_size || !plan->next_in_group || !plan->table) {
        return -1;
    }
    return 0;
}

void dnsd_send_plan_free(dnsd_send_plan *plan) {
    free(plan->messages);
    free(plan->vectors);
    free(plan->controls);
    free(plan->group_first);
    free(plan->group_last);
    free(plan->group_size);
    free(plan->next_in_group);
    free(plan->table);
}

static uint32_t peer_hash(const struct msghdr *message, size_t length) {
    // The address bytes that differ between clients (port and address), mixed with the length.
    uint32_t hash = (uint32_t)length * 0x9e3779b1u;
    const struct sockaddr *address = message->msg_name;
    if (message->msg_namelen == 0) return hash;
    if (address->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = message->msg_name;
        hash ^= v4->sin_addr.s_addr * 0x85ebca6bu;
        hash ^= (uint32_t)v4->sin_port * 0xc2b2ae35u;
    } else if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = message->msg_name;
        uint32_t words[4];
        memcpy(words, &v6->sin6_addr, sizeof words);
        hash ^= (words[0] ^ words[1] ^ words[2] ^ words[3]) * 0x85ebca6bu;
        hash ^= (uint32_t)v6->sin6_port * 0xc2b2ae35u;
    }
    return hash ^ (hash >> 15);
}

static int same_peer(const struct msghdr *a, const struct msghdr *b) {
    return a->msg_namelen == b->msg_namelen && memcmp(a->msg_name, b->msg_name, a->msg_namelen) == 0;
}

// Groups slots 0..<count by (peer, length) in one pass; returns the number of groups.
static int group_slots(struct dnsd_batch *batch, int count) {
    dnsd_send_plan *plan = &batch->plan;
    if (plan->segmentation) memset(plan->table, 0xff, (size_t)(plan->table_mask + 1) * sizeof(int));
    int groups = 0;
    for (int slot = 0; slot < count; slot++) {
        const struct msghdr *message = &batch->messages[slot].msg_hdr;
        size_t length = batch->vectors[slot].iov_len;
        plan->next_in_group[slot] = -1;
        int joined = 0;
        if (plan->segmentation && length > 0 && length <= largest_segment) {
            uint32_t index = peer_hash(message, length) & (uint32_t)plan->table_mask;
            while (plan->table[index] >= 0) {
                int group = plan->table[index];
                int first = plan->group_first[group];
                if (batch->vectors[first].iov_len == length && same_peer(&batch->messages[first].msg_hdr, message)) {
                    if (plan->group_size[group] < most_segments &&
                        (size_t)(plan->group_size[group] + 1) * length <= largest_message) {
                        plan->next_in_group[plan->group_last[group]] = slot;
                        plan->group_last[group] = slot;
                        plan->group_size[group] += 1;
                        joined = 1;
                    } else {
                        plan->table[index] = groups;  // full: later slots of this key start anew
                    }
                    break;
                }
                index = (index + 1) & (uint32_t)plan->table_mask;
            }
            if (!joined && plan->table[index] < 0) plan->table[index] = groups;
        }
        if (!joined) {
            plan->group_first[groups] = slot;
            plan->group_last[groups] = slot;
            plan->group_size[groups] = 1;
            groups += 1;
        }
    }
    return groups;
}

// Lays the groups out as messages: each group's slots become one message's vectors.
static void build_messages(struct dnsd_batch *batch, int groups) {
    dnsd_send_plan *plan = &batch->plan;
    int vector = 0;
    for (int group = 0; group < groups; group++) {
        int first = plan->group_first[group];
        struct msghdr *message = &plan->messages[group].msg_hdr;
        message->msg_name = batch->messages[first].msg_hdr.msg_name;
        message->msg_namelen = batch->messages[first].msg_hdr.msg_namelen;
        message->msg_iov = &plan->vectors[vector];
        message->msg_iovlen = (size_t)plan->group_size[group];
        message->msg_flags = 0;
        for (int slot = first; slot >= 0; slot = plan->next_in_group[slot]) plan->vectors[vector++] = batch->vectors[slot];
        if (plan->group_size[group] > 1) {
            uint8_t *control = plan->controls + (size_t)group * control_space();
            memset(control, 0, control_space());
            message->msg_control = control;
            message->msg_controllen = control_space();
            struct cmsghdr *header = CMSG_FIRSTHDR(message);
            header->cmsg_level = SOL_UDP;
            header->cmsg_type = UDP_SEGMENT;
            header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t segment = (uint16_t)batch->vectors[first].iov_len;
            memcpy(CMSG_DATA(header), &segment, sizeof segment);
        } else {
            message->msg_control = NULL;
            message->msg_controllen = 0;
        }
    }
}

// A coalesced message the kernel refused as such: its datagrams go one by one. Returns how
// many left.
static int send_apart(int fd, const struct msghdr *coalesced) {
    int sent = 0;
    for (size_t index = 0; index < coalesced->msg_iovlen; index++) {
        struct msghdr single = *coalesced;
        single.msg_iov = &coalesced->msg_iov[index];
        single.msg_iovlen = 1;
        single.msg_control = NULL;
        single.msg_controllen = 0;
        if (sendmsg(fd, &single, MSG_DONTWAIT) >= 0) sent += 1;
    }
    return sent;
}

int dnsd_batch_send(int fd, dnsd_batch *batch, int count) {
    dnsd_send_plan *plan = &batch->plan;
    int groups = group_slots(batch, count);
    build_messages(batch, groups);
    int done = 0, sent = 0, failure = 0;
    while (done < groups) {
        int result = sendmmsg(fd, plan->messages + done, (unsigned int)(groups - done), MSG_DONTWAIT);
        if (result >= 0) {
            for (int group = done; group < done + result; group++) sent += plan->group_size[group];
            done += result;
            continue;
        }
        if (errno == EINTR) continue;
        failure = errno;
        if (plan->group_size[done] > 1 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
            // This kernel or route (a device without checksum offload: EIO) does not segment:
            // say so once for this batch and send plainly from now on.
            plan->segmentation = 0;
            sent += send_apart(fd, &plan->messages[done].msg_hdr);
        }
        // Otherwise the kernel refused a datagram (EAGAIN with a full buffer, an unreachable
        // peer): it is skipped, as UDP may lose it, and the client retries.
        done += 1;
    }
    if (sent == 0 && count > 0 && failure != 0) {
        errno = failure;
        return -1;
    }
    return sent;
}
