/*
 * deadline: the request-head deadlines that cut off slow clients
 * (slowloris). Each connection gets a slot when accepted; its request
 * line and headers are due head_s seconds after it opened or after its
 * previous answer ended, however slowly they trickle in. A thread checks
 * the slots once a second and shuts down the overdue connections' sockets
 * (the HTTP server then closes them). Thread-safe.
 */
#ifndef DMARCD_DEADLINE_H
#define DMARCD_DEADLINE_H

#include <stdbool.h>

struct deadlines;
struct deadline_slot;

/* Starts watching up to n connections. NULL when out of memory or threads. */
struct deadlines *deadlines_new(unsigned n, unsigned head_s);

/* Stops the watcher and frees d; NULL is a no-op. */
void deadlines_free(struct deadlines *d);

/* A connection on fd was accepted: its slot (NULL when all are taken: never cut off). */
struct deadline_slot *deadlines_open(struct deadlines *d, int fd);

/* Its descriptor is about to be closed: the slot is free again (NULL is a no-op). */
void deadlines_close(struct deadlines *d, struct deadline_slot *s);

/*
 * A request head arrived and is being answered (busy: no deadline), or
 * its answer ended (the next head is due in head_s). NULL is a no-op.
 */
void deadlines_arm(struct deadlines *d, struct deadline_slot *s, bool busy);

#endif
