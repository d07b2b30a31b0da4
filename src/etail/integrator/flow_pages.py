"""Flows, jobs and errors pages and API of the integrator (placeholder)."""

from fastapi import APIRouter

router = APIRouter()
