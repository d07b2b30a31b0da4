"""Record, SuiteQL and RESTlet routes (placeholder until the records work lands)."""

from fastapi import APIRouter

router = APIRouter()
