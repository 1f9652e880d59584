"""The texts of focus timers: the answers to /focus, the post that opens a group timer in the study room,
and each bell."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import minutes, plural, t
from bot.services.study.focus import BellJob, FocusView, Stopped
from bot.services.study.pomodoro import Cycle
from bot.usertext import channel_mention, md, user_mention


def _at(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:t>"


def _shape(cycle: Cycle) -> str:
    if cycle.rounds == 1:
        return t("one round of {focus} minutes", focus=cycle.focus_minutes)
    return t(
        "{rounds} × {focus} minutes with {pause}-minute breaks",
        rounds=cycle.rounds,
        focus=cycle.focus_minutes,
        pause=cycle.break_minutes,
    )


def _phase(cycle: Cycle, rung: int) -> str:
    phase = cycle.phase(rung)
    if phase is None:
        return t("The cycle is over.")
    focusing, round_, until = phase
    if focusing:
        return t("Round {round} of {rounds}: focus until {at}.", round=round_, rounds=cycle.rounds, at=_at(until))
    return t("A break until {at}, then round {next}.", at=_at(until), next=round_ + 1)


def focus_answer(view: FocusView) -> str:
    """The private answer to /focus start: what started or was joined, and where its bells will ring."""
    shape, phase = _shape(view.cycle), _phase(view.cycle, view.rung)
    if view.joined:
        assert view.room_id is not None
        head = t(
            "🍅 You joined the group focus timer in {room} ({people} in it): {shape}.",
            room=channel_mention(view.room_id),
            people=view.people,
            shape=shape,
        )
    elif view.room_id is not None:
        head = t(
            "🍅 A group focus timer started in {room}: {shape}. Others in the room can join it.",
            room=channel_mention(view.room_id),
            shape=shape,
        )
    else:
        head = t("🍅 Your focus timer started in **{cohort}**: {shape}.", cohort=md(view.cohort.name), shape=shape)
    where = (
        t("I say in the room's chat when each focus and break ends, mentioning only who joined.")
        if view.room_id is not None
        else t("I send you a DM when each focus and break ends.")
    )
    finished = t("Each finished focus round counts as study time on your topic. `/focus stop` takes you out.")
    return f"{head}\n{phase} {where}\n{finished}"


def group_post(view: FocusView, starter_id: int) -> str:
    """The post in the study room's chat that opens a group timer (it pings nobody)."""
    return t(
        "🍅 {member} started a focus timer: {shape}. {phase} Press **Join** to focus together: when a focus or "
        "break ends, I mention only who joined.",
        member=user_mention(starter_id),
        shape=_shape(view.cycle),
        phase=_phase(view.cycle, view.rung),
    )


def cannot_post_in_room(room_id: int) -> str:
    """Why a timer started in the study room is private: the bot may not post in the room's chat."""
    return t(
        "(A private timer: a group timer rings in {room}'s chat, and there I or you may not post. It needs "
        "**View Channel** and **Send Messages** in it, for me and for you.)",
        room=channel_mention(room_id),
    )


def room_post_failed(room_id: int) -> str:
    """The group timer's post did not reach the room's chat."""
    return t(
        "(I could not post in {room}'s chat just now: the timer runs, but its bells may not reach the room.)",
        room=channel_mention(room_id),
    )


def join_label() -> str:
    """The label of a group timer's Join button."""
    return t("Join")


def stopped_answer(stopped: Stopped) -> str:
    """The private answer to /focus stop."""
    counted = t(
        "It counted {rounds} for you ({minutes}) in **{cohort}**.",
        rounds=plural(stopped.rounds, "{n} finished focus round", "{n} finished focus rounds"),
        minutes=minutes(stopped.minutes),
        cohort=md(stopped.cohort.name),
    )
    after = t("The timer ended.") if stopped.ended else t("It goes on for the others in it.")
    return f"⏹️ {t('You left the focus timer.')} {counted} {after}"


def bell_text(job: BellJob) -> str:
    """What a bell says: a round done, a break over, or the cycle finished (marked late when it is)."""
    bell, cycle = job.bell, job.cycle
    if bell.last:
        text = t(
            "✅ Focus cycle done: {rounds} of {focus} minutes, each counted as study time.",
            rounds=plural(cycle.rounds, "{n} round", "{n} rounds"),
            focus=cycle.focus_minutes,
        )
    elif bell.ends_focus:
        text = t(
            "☕ Round {round} of {rounds} done: a {pause}-minute break. Round {next} starts at {at}.",
            round=bell.round,
            rounds=cycle.rounds,
            pause=cycle.break_minutes,
            next=bell.round + 1,
            at=_at(cycle.round_span(bell.round + 1)[0]),
        )
    else:
        text = t(
            "🍅 Break over: round {round} of {rounds}, focus until {at}.",
            round=bell.round + 1,
            rounds=cycle.rounds,
            at=_at(cycle.round_span(bell.round + 1)[1]),
        )
    if job.late:
        text += " " + t("(Late: I was offline when it was due. The rounds you finished still count.)")
    if job.room_id is None:
        return text
    return " ".join(user_mention(user_id) for user_id in job.user_ids) + " " + text
