"""Surveys and evaluations (issue 11): ingest's surveys, codes, ballots and address counters;
scoring's copies and the evaluation results it keeps

Revision ID: 0011_surveys
Revises: 0008_join_screening
Create Date: 2026-12-02

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011_surveys"
down_revision: Union[str, Sequence[str], None] = "0010_mailbox"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "survey_surveys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("opens", sa.DateTime(), nullable=False),
        sa.Column("closes", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_survey_surveys_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_surveys")),
    )
    op.create_table(
        "survey_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("respondent", sa.String(100), nullable=True),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey_surveys.id"],
                                name=op.f("fk_survey_codes_survey_id_survey_surveys")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_codes")),
        sa.UniqueConstraint("survey_id", "code_hash", name=op.f("uq_survey_codes_survey_id")),
    )
    op.create_table(
        "survey_ballots",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("respondent", sa.String(100), nullable=True),
        sa.Column("repeat_address", sa.Boolean(), nullable=False),
        sa.Column("repeat_browser", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["survey_codes.id"],
                                name=op.f("fk_survey_ballots_code_id_survey_codes")),
        sa.ForeignKeyConstraint(["survey_id"], ["survey_surveys.id"],
                                name=op.f("fk_survey_ballots_survey_id_survey_surveys")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_ballots")),
        sa.UniqueConstraint("code_id", name=op.f("uq_survey_ballots_code_id")),
        sa.UniqueConstraint("survey_id", "key", name=op.f("uq_survey_ballots_survey_id")),
    )
    op.create_index(op.f("ix_survey_ballots_survey_id"), "survey_ballots", ["survey_id"])
    op.create_table(
        "survey_address_counts",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(32), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("survey_id", "address", "window",
                                name=op.f("pk_survey_address_counts")),
    )
    op.create_table(
        "scoring_surveys",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_surveys")),
    )
    op.create_table(
        "scoring_survey_ballots",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("respondent", sa.String(100), nullable=True),
        sa.Column("repeat_address", sa.Boolean(), nullable=False),
        sa.Column("repeat_browser", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_survey_ballots")),
    )
    op.create_index(op.f("ix_scoring_survey_ballots_survey_id"), "scoring_survey_ballots",
                    ["survey_id"])
    op.create_table(
        "scoring_survey_screenings",
        sa.Column("ballot", sa.String(32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("ballot", name=op.f("pk_scoring_survey_screenings")),
    )
    op.create_index(op.f("ix_scoring_survey_screenings_survey_id"),
                    "scoring_survey_screenings", ["survey_id"])
    op.create_table(
        "scoring_evaluation_results",
        sa.Column("survey_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("unit_slug", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("survey_id", "unit_slug",
                                name=op.f("pk_scoring_evaluation_results")),
    )
    op.create_index(op.f("ix_scoring_evaluation_results_year"), "scoring_evaluation_results",
                    ["year"])


def downgrade() -> None:
    op.drop_table("scoring_evaluation_results")
    op.drop_table("scoring_survey_screenings")
    op.drop_table("scoring_survey_ballots")
    op.drop_table("scoring_surveys")
    op.drop_table("survey_address_counts")
    op.drop_table("survey_ballots")
    op.drop_table("survey_codes")
    op.drop_table("survey_surveys")
