# Domain fuzzers: the rights computation over hostile stored data, log gap bookkeeping, the
# enrolment code a person types, and the care-planning import file.
# The pure domain sources are compiled here so fuzz builds instrument them.
set(pvs_dom ${PROJECT_SOURCE_DIR}/server)
add_library(pvs_domain_fuzzlib STATIC ${pvs_dom}/rules/calendar.c ${pvs_dom}/rules/rights.c
            ${pvs_dom}/rules/gaps.c ${pvs_dom}/rules/enrol_code.c)
target_link_libraries(pvs_domain_fuzzlib PUBLIC pv_proto)
pv_add_fuzzer(domain_rights pvs_domain_fuzzlib)
pv_add_fuzzer(domain_gaps pvs_domain_fuzzlib)
pv_add_fuzzer(enrol_code pvs_domain_fuzzlib)

# The care-planning import file (CSV and JSON) a planner or a nightly job uploads.
pkg_check_modules(FUZZ_JANSSON REQUIRED IMPORTED_TARGET jansson)
add_library(pvs_import_fuzzlib STATIC ${pvs_dom}/rules/care_import.c
            ${pvs_dom}/rules/care_import_text.c ${pvs_dom}/core/care_import_json.c
            ${pvs_dom}/rules/calendar.c)
target_link_libraries(pvs_import_fuzzlib PUBLIC pv_proto PkgConfig::FUZZ_JANSSON)
pv_add_fuzzer(care_import pvs_import_fuzzlib)
