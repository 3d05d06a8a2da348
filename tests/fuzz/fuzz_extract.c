/* libFuzzer target: one whole input (mail or report file) through extract_input. */
#include <stddef.h>
#include <stdint.h>

#include "extract.h"
#include "fuzz_sinks.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	extract_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state s = { 0 };
	struct report_sink reports = fuzz_report_sink(&s);
	struct failure_sink failures = fuzz_failure_sink(&s);
	struct extract_result res;
	struct errbuf e;
	struct bounds b;

	bounds_default(&b);
	b.max_document = 64u << 20; /* small caps keep each run fast */
	b.max_message_out = 128u << 20;
	if (extract_input(data, size, "fuzz.eml", &b, &reports, &failures, &res, &e) == -1)
		__builtin_trap(); /* the sinks never fail */
	fuzz_sinks_done(&s);
	if (res.documents != s.reports + s.failures)
		__builtin_trap();
	return 0;
}
