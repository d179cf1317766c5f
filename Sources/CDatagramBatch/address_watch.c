// A netlink socket that becomes readable whenever an interface address is added or removed,
// so the host's connected subnets (the `localnets` access-rule set) follow interface changes
// without polling. Glibc's Swift module does not expose <linux/netlink.h>.
#include "datagram_batch.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int dnsd_address_watch_socket(int timeout_ms) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl local;
    memset(&local, 0, sizeof local);
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        close(fd);
        return -1;
    }
    struct timeval timeout = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

int dnsd_address_watch_wait(int fd) {
    char buffer[8192];
    ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    return got > 0 ? 1 : 0;
}
