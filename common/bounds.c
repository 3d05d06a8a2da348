#include "bounds.h"

void
bounds_default(struct bounds *b)
{
	b->max_input = 50ULL << 20;
	b->max_document = 2ULL << 30;
	b->max_message_out = 4ULL << 30;
	b->max_ratio = 1000;
}
