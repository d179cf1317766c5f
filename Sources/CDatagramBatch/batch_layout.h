// The inside of a dnsd_batch, shared by the files of this target (not part of its API).
#ifndef DNSD_BATCH_LAYOUT_H
#define DNSD_BATCH_LAYOUT_H

#include <stdint.h>
#include <sys/uio.h>
#include <sys/socket.h>

/// How a send groups the slots: datagrams to one peer with one length leave as one message
/// that the kernel cuts into datagrams (UDP generic segmentation offload, UDP_SEGMENT).
/// Reused by every send; sized for the batch's slot count.
typedef struct {
    /// 1 while the socket's kernel and route accept segmentation; a refusal turns it off.
    int segmentation;
    struct mmsghdr *messages;   // one per group
    struct iovec *vectors;      // the groups' slots, group after group
    uint8_t *controls;          // one UDP_SEGMENT control message per group
    int *group_first;           // per group: its first slot
    int *group_last;            // per group: its last slot
    int *group_size;            // per group: its slot count
    int *next_in_group;         // per slot: the next slot of its group, or -1
    int *table;                 // open addressing: group index or -1
    int table_mask;
} dnsd_send_plan;

struct dnsd_batch {
    int count;
    int slot_size;
    struct mmsghdr *messages;
    struct iovec *vectors;
    struct sockaddr_storage *addresses;
    uint8_t *buffers;
    dnsd_send_plan plan;
};

/// 0, or -1 when out of memory (the plan is then freed by dnsd_send_plan_free).
int dnsd_send_plan_init(dnsd_send_plan *plan, int capacity);
void dnsd_send_plan_free(dnsd_send_plan *plan);

#endif
