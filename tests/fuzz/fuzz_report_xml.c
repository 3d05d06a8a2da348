/* libFuzzer target: one aggregate report document through report_xml_parse. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_sinks.h"
#include "mem_reader.h"
#include "report_xml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	report_xml_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct report_hints hints = { "fuzz!example.com!1700000000!1700086399.xml",
		"Report Domain: example.com Submitter: fuzz.example", "fuzz@fuzz.example" };
	struct fuzz_state s = { 0 };
	struct report_sink sink = fuzz_report_sink(&s);
	struct mem_reader m;
	struct byte_reader rd = mem_reader_init(&m, data, size);
	enum refusal why;
	struct errbuf e;

	if (report_xml_parse(&rd, &hints, 0, &sink, &why, &e) == -1)
		__builtin_trap();
	fuzz_sinks_done(&s);
	if ((why == REFUSE_NONE) != (s.reports == 1))
		__builtin_trap();
	return 0;
}
