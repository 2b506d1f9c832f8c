"""The pure evaluation engine for 县域义务教育优质均衡发展 (no Django): figures in, verdicts, gaps and costs out.

Standards are data (`standard.py`); inputs are plain dataclasses (`inputs.py`); `evaluate(inp)` returns an
`Evaluation`; `serialize.evaluation_to_json_dict` / `serialize.dumps` store it; `costing.cost_gaps` prices
its gaps. See INDICATORS.md for the rules themselves.
"""

from .costing import UNIT_COST_KEYS, Costing, cost_gaps
from .evaluate import Evaluation, evaluate
from .inputs import (
    ClassFigures,
    CountyEntry,
    EvaluationInput,
    RoomFigures,
    SchoolFigures,
    SectionFigures,
)
from .serialize import dumps, evaluation_to_json_dict, loads
from .standard import NATIONAL_2017_DATA, IndicatorDef, Standard, national_2017, standard_from_dict, standard_to_dict
from .status import Finding, NotEvaluated
from .survey import PaperTally, SurveyAnswers, SurveyResponse, SurveyResult, given_survey_result, score_survey

__all__ = [
    "NATIONAL_2017_DATA",
    "UNIT_COST_KEYS",
    "ClassFigures",
    "Costing",
    "CountyEntry",
    "Evaluation",
    "EvaluationInput",
    "Finding",
    "IndicatorDef",
    "NotEvaluated",
    "PaperTally",
    "RoomFigures",
    "SchoolFigures",
    "SectionFigures",
    "Standard",
    "SurveyAnswers",
    "SurveyResponse",
    "SurveyResult",
    "cost_gaps",
    "dumps",
    "evaluate",
    "evaluation_to_json_dict",
    "given_survey_result",
    "loads",
    "national_2017",
    "score_survey",
    "standard_from_dict",
    "standard_to_dict",
]
