/* reg_stage — the OCOP cycle (490/QĐ-TTg) as a transition table. */
#ifndef REG_STAGE_H
#define REG_STAGE_H

#include <stdbool.h>

#include "registration.pb-c.h"

/* The stage action leads to from `from`, or STAGE_UNSPECIFIED when the table has no such
 * transition. *needs_reason says whether the action must carry a reason. */
Ocop__Stage reg_stage_next(Ocop__Stage from, Ocop__StageAction action, bool *needs_reason);

/* "IDEA_SUBMITTED", "ACCEPT", ... (static strings). */
const char *reg_stage_name(Ocop__Stage stage);
const char *reg_stage_action_name(Ocop__StageAction action);

#endif
