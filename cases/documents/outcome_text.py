"""What a reply must say beyond its reason choices: the statement, the 36(5) holder, refusals."""

# The handler writes two texts for an outcome: the internal note (备注, never printed) and the
# statement written into the letter (写入文书的说明), which the handler sees before drafting.
# Some outcomes cannot be answered without the statement or the holder; the same rules guard
# choosing the outcome and drafting the reply (an imported case may lack them).

from __future__ import annotations

from collections.abc import Sequence

from cases.rules.action_refused import ActionRefused
from cases.rules.handbook import Outcome, cite

# Reason choices of 36(5) that say the holder is known: the letter must then name it.
HOLDER_KNOWN = frozenset({"other_agency"})


class OutcomeTextMissing(ActionRefused):
    """A reply cannot be drafted without this text; `field` names it."""


def check_outcome_text(
    outcome: Outcome, reasons: Sequence[str], statement: str, holder: str
) -> None:
    """Refuse an outcome whose letter would miss what the law or the office requires."""
    code, label = outcome.code, outcome.label
    # A refusal (outcomes.yaml) gives its reason; its reason choices are the grounds.
    if outcome.refusal and not [r for r in reasons if r.strip()]:
        raise OutcomeTextMissing(
            "outcome.reasons",
            f"“{label}”须选择不予公开的理由（{cite('refusal_reason')}：不予公开的应当告知理由）",
        )
    if code == "other" and not statement.strip():
        raise OutcomeTextMissing(
            "outcome.statement", f"“{label}”须在“写入文书的说明”中写明作出了什么处理"
        )
    if code == "unable_not_ours" and HOLDER_KNOWN & set(reasons) and not holder.strip():
        raise OutcomeTextMissing(
            "outcome.holder",
            f"“{label}”选择了“由其他行政机关负责公开”，须写明该机关的名称"
            f"（{cite('holder_named')}），可从其他机关名录中选择",
        )
