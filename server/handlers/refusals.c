/* Refusals of mistakes a planner makes (issue 9) that the older handlers call in one line:
 * a right lying wholly in the past. Each names what it refuses in the problem's params so
 * the UI can say it in the person's words. */
#include "../rules/calendar.h"
#include "planner_handlers.h"
#include "util.h"

bool pvd_right_in_past(struct pvs_req *r, int32_t until)
{
    char day[PVS_DATE_LEN];
    if (until == PVS_DAY_OPEN || until >= pvd_today())
        return false;
    pvs_date_format(until, day);
    pvs_tx_rollback(r->db);
    pvs_problem_ext(r, 400, "right-in-past", "Right wholly in the past",
                    json_pack("{s:{s:s}}", "params", "until", day),
                    "The right ends on %s, which has passed; a right must end today or later.",
                    day);
    return true;
}
