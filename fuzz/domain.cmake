# Domain fuzzers: the rights computation over hostile stored data, log gap bookkeeping, and
# the enrolment code a person types.
# The pure domain sources are compiled here so fuzz builds instrument them.
set(pvs_dom ${PROJECT_SOURCE_DIR}/server)
add_library(pvs_domain_fuzzlib STATIC ${pvs_dom}/rules/calendar.c ${pvs_dom}/rules/rights.c
            ${pvs_dom}/rules/gaps.c ${pvs_dom}/rules/enrol_code.c)
target_link_libraries(pvs_domain_fuzzlib PUBLIC pv_proto)
pv_add_fuzzer(domain_rights pvs_domain_fuzzlib)
pv_add_fuzzer(domain_gaps pvs_domain_fuzzlib)
pv_add_fuzzer(enrol_code pvs_domain_fuzzlib)
