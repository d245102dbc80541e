"""Writes of service cases: open, apply an event, attach a file, triage, diagnostics.

Every service runs in one transaction and writes one audit row on the case (the case's
timeline is its audit trail). Transitions and ownership rules are the domain's
(`shouhou.domain.cases`); this module checks who acts, locks, persists and records.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseNumber,
    CaseRating,
    CaseType,
    Diagnostic,
    DiagnosticKind,
    Team,
    TriageCheck,
    TriageItem,
    TriageResult,
)
from shouhou.cases.policy import case_targets, work_calendar
from shouhou.core.models import User
from shouhou.core.roles import Role
from shouhou.core.services import audit_record
from shouhou.domain import cases as domain
from shouhou.domain.errors import Forbidden, Invalid, NotFound
from shouhou.domain.phones import phone_key
from shouhou.faq.models import ArticleStatus, FaqArticle
from shouhou.notify import services as notify
from shouhou.notify.services import emit
from shouhou.registry.models import Customer, Dealer, Unit, normalize_serial
from shouhou.registry.selectors import coverage_or_none

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
RATING_VALID = timedelta(days=14)
# Content, not the name or the browser's word for it, decides what a file is.
ATTACHMENT_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class Reporter:
    name: str = ""
    phone: str = ""
    email: str = ""
    qq: str = ""


def actor_of(user: Any) -> domain.Actor:
    """The domain's view of USER; raises Forbidden for an account that may not touch cases."""
    if getattr(user, "dealer_id", None) is not None:
        return domain.Actor(id=user.pk, dealer=True)
    if getattr(user, "is_vendor_staff", False):
        return domain.Actor(id=user.pk, manager=user.has_role(Role.MANAGER, Role.ADMIN))
    raise Forbidden(_("您的账号没有处理服务案例的权限。"))


def _allocate_number(at: datetime) -> str:
    """The next case number of AT's year (calendar time zone), gap-free: the year's row stays
    locked until commit, so concurrent openings queue for it."""
    year = at.astimezone(work_calendar().tz).year
    CaseNumber.objects.bulk_create([CaseNumber(year=year, last=0)], ignore_conflicts=True)
    counter = CaseNumber.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"C{year}-{counter.last:06d}"


def _check_reporter(reporter: Reporter) -> Reporter:
    name, phone, email, qq = (reporter.name.strip(), reporter.phone.strip(), reporter.email.strip(),
                              reporter.qq.strip())
    if not (phone or email or qq):
        raise Invalid(_("请至少填写报告人的电话、邮箱或 QQ 之一。"), field="reporter.phone")
    if len(name) > 100 or len(phone) > 50:
        raise Invalid(_("报告人姓名或电话过长。"), field="reporter.name")
    if phone and not phone_key(phone):
        raise Invalid(_("电话号码 %(phone)s 无效。") % {"phone": phone}, field="reporter.phone")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(_("邮箱 %(email)s 无效。") % {"email": email}, field="reporter.email") from None
    if qq and not (qq.isdigit() and 5 <= len(qq) <= 12):
        raise Invalid(_("QQ 号 %(qq)s 无效。") % {"qq": qq}, field="reporter.qq")
    return Reporter(name, phone, email, qq)


def _known_reporter(phone: str) -> tuple[Dealer | None, Customer | None]:
    """The dealer or end customer whose phone is PHONE, when exactly one matches."""
    key = phone_key(phone)
    if not key:
        return None, None
    if len(key) < 7:
        return None, None
    tail = key[-7:]
    dealers = [d for d in Dealer.objects.filter(Q(phone__contains=tail) | Q(mobile__contains=tail), active=True)[:20]
               if key in (phone_key(d.phone), phone_key(d.mobile))][:2]
    customers = list(Customer.objects.filter(phone__contains=tail)[:20])
    customers = [c for c in customers if phone_key(c.phone) == key][:2]
    return (dealers[0] if len(dealers) == 1 else None), (customers[0] if len(customers) == 1 else None)


@transaction.atomic
def case_open(
    *,
    actor: User,
    channel: str,
    case_type: str,
    subject: str,
    description: str = "",
    reporter: Reporter,
    serial: str = "",
    region: str = "",
    opened_at: datetime | None = None,
    about_dealer: Dealer | None = None,
    related: Case | None = None,
    faq_article: int | None = None,
    accept: bool = False,
    team: str = "",
    now: datetime | None = None,
) -> Case:
    """Open a case; returns it saved with its number and targets.

    With `team` (a team's key), the case is opened for that team: it takes the team's targets and
    stays unowned in the team's queue until a member accepts it (so `accept` is refused with it).

    A dealer's user opens cases for its own dealer, about its own units only. `opened_at`
    (staff only; not in the future) records when the contact really came in. With `accept`,
    staff taking a call accept it at once and become its owner and first responder.

    Raises Invalid (bad or missing fields, unknown serial or region), Forbidden (a dealer
    setting `opened_at`, opening a complaint, or accepting).
    """
    now = now or timezone.now()
    who = actor_of(actor)
    if channel not in domain.Channel.__members__.values():
        raise Invalid(_("未知渠道 %(channel)s。") % {"channel": channel}, field="channel")
    if case_type not in domain.CaseType.__members__.values():
        raise Invalid(_("未知类型 %(type)s。") % {"type": case_type}, field="type")
    subject, description = subject.strip(), description.strip()
    if not subject:
        raise Invalid(_("请填写主题。"), field="subject")
    if len(subject) > 200:
        raise Invalid(_("主题不能超过 200 字。"), field="subject")
    reporter = _check_reporter(reporter)
    if who.dealer and (opened_at is not None or accept or case_type == CaseType.COMPLAINT):
        raise Forbidden(_("代理商账号不能指定创建时间、直接受理或发起投诉。"))
    team_row = team_for_key(team) if team else None
    if team_row is not None and accept:
        raise Invalid(_("为团队创建的案例由团队成员领取，不能同时直接受理。"), field="team")
    opened_at = opened_at or now
    if timezone.is_naive(opened_at):
        raise Invalid(_("时间须带时区。"), field="opened_at")
    if opened_at > now:
        raise Invalid(_("创建时间不能晚于现在。"), field="opened_at")

    unit = None
    serial = normalize_serial(serial or "")
    if serial:
        unit = Unit.objects.select_related("product_model", "dealer", "replaces").filter(serial=serial).first()
        if unit is None or (who.dealer and unit.dealer_id != actor.dealer_id):
            raise Invalid(_("序列号 %(serial)s 不存在。") % {"serial": serial}, field="serial")
    region = (region or "").strip()
    if region:
        from shouhou.domain.regions import region as region_lookup

        try:
            region_lookup(region)
        except NotFound:
            raise Invalid(_("地区代码 %(code)s 不存在。") % {"code": region}, field="region") from None
    article = None
    if faq_article is not None:
        article = FaqArticle.objects.filter(pk=faq_article, status=ArticleStatus.PUBLISHED).first()
        if article is None:
            raise Invalid(_("常见问题不存在或未发布。"), field="faq_article")
    cal = work_calendar()
    target = domain.targets(cal, opened_at, case_type, case_targets(),
                            team=team_row.targets if team_row is not None else None)
    coverage = coverage_or_none(unit, opened_at.astimezone(cal.tz).date()) if unit else None
    reporter_dealer, reporter_customer = _known_reporter(reporter.phone)
    if case_type == CaseType.COMPLAINT:
        dealer = None
        about_dealer = about_dealer or (unit.dealer if unit else None)
    else:
        dealer = actor.dealer if who.dealer else (unit.dealer if unit else reporter_dealer)
        about_dealer = None
    case = Case(
        number=_allocate_number(opened_at),
        channel=channel, case_type=case_type, subject=subject, description=description,
        reporter_name=reporter.name, reporter_phone=reporter.phone, reporter_phone_key=phone_key(reporter.phone),
        reporter_email=reporter.email, reporter_qq=reporter.qq,
        reporter_dealer=reporter_dealer or (actor.dealer if who.dealer else None),
        reporter_customer=reporter_customer or (unit.customer if unit and unit.customer_id else None),
        unit=unit, serial=serial, product_model=unit.product_model if unit else None,
        dealer=dealer, about_dealer=about_dealer,
        region_code=region or (unit.region_code if unit else ""),
        coverage=coverage.status.value if coverage else "",
        related_case=related, faq_article=article, created_by=actor, team=team_row,
        opened_at=opened_at, pickup_at=target.pickup_at, first_response_due=target.first_response_due,
        resolution_due=target.resolution_due,
    )
    if accept:
        case.status, case.owner, case.first_responder, case.first_responded_at = (
            domain.Status.ACCEPTED, actor, actor, now)
    case.save()
    audit_record(case, "case.opened", actor=actor, data={
        "number": case.number, "channel": channel, "type": case_type, "serial": serial,
        "accepted": accept, "related": related.number if related else None,
        "pickup_at": case.pickup_at.isoformat(), "faq_article": article.pk if article else None,
        **({"team": team_row.key} if team_row is not None else {}),
    })
    return case


def team_for_key(key: object) -> Team:
    """The active team keyed KEY; raises Invalid (field "team") naming the keys there are."""
    row = Team.objects.filter(key=key, active=True).first() if isinstance(key, str) and key else None
    if row is None:
        keys = ", ".join(Team.objects.filter(active=True).values_list("key", flat=True))
        raise Invalid(_("团队 %(team)s 不存在（可选：%(keys)s）。") % {"team": str(key)[:40], "keys": keys},
                      field="team")
    return row


@transaction.atomic
def team_save(*, team: Team | None, actor: User, key: str, name: str, members: list[User],
              first_response_minutes: int | None, resolution_working_days: int | None,
              robot: Any, active: bool = True) -> Team:
    """Create or change a team (managers and administrators). Raises Forbidden, Invalid."""
    if not actor.has_role(Role.MANAGER, Role.ADMIN):
        raise Forbidden(_("只有经理和管理员可以管理团队。"))
    key, name = key.strip(), name.strip()
    if not key or not name:
        raise Invalid(_("请填写团队代号和名称。"), field="key" if not key else "name")
    others = Team.objects.exclude(pk=team.pk) if team and team.pk else Team.objects.all()
    if others.filter(key=key).exists():
        raise Invalid(_("团队代号 %(key)s 已被使用。") % {"key": key}, field="key")
    if others.filter(name=name).exists():
        raise Invalid(_("团队名称 %(name)s 已被使用。") % {"name": name}, field="name")
    if any(m.dealer_id is not None or not m.is_vendor_staff for m in members):
        raise Invalid(_("团队成员须为员工。"), field="members")
    created = team is None
    row = team or Team()
    before = {"members": sorted(row.members.values_list("username", flat=True))} if not created else {}
    row.key, row.name, row.active = key, name, active
    row.first_response_minutes, row.resolution_working_days, row.robot = (
        first_response_minutes, resolution_working_days, robot)
    row.save()
    row.members.set(members)
    audit_record(row, "team.created" if created else "team.changed", actor=actor, data={
        "key": key, "name": name, **before, "members_now": sorted(m.username for m in members),
        "first_response_minutes": first_response_minutes, "resolution_working_days": resolution_working_days,
        "robot": robot.name if robot else None, "active": active})
    return row


def _staff_user(pk: object) -> User:
    user = User.objects.filter(pk=pk, is_active=True, dealer__isnull=True).first() if isinstance(pk, int) else None
    if user is None or not user.is_vendor_staff:
        raise Invalid(_("接手人须为在职员工。"), field="to")
    return user


@transaction.atomic
def case_apply(
    *,
    case: Case,
    event: str,
    actor: User,
    version: int | None,
    fields: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> Case:
    """Apply EVENT with FIELDS to CASE as ACTOR; returns the saved case.

    Raises NotFound (a case the actor may not see), StaleVersion, IllegalEvent (naming the
    allowed events), Forbidden (e.g. a hand-over by someone who neither owns the case nor
    manages), Invalid (bad fields).
    """
    now = now or timezone.now()
    who = actor_of(actor)
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or (who.dealer and locked.dealer_id != actor.dealer_id):
        raise NotFound(_("没有找到该记录。"))
    fields = dict(fields or {})
    if event == domain.Event.HAND_OVER and "to" in fields:
        fields["to"] = _staff_user(fields["to"]).pk
    step = domain.apply(locked.snapshot(), event, actor=who, version=version, fields=fields)
    changed = locked.apply(step)
    if "first_responder" in step.changed and locked.first_responded_at is None:
        locked.first_responded_at = now
        changed.append("first_responded_at")
    if step.event is domain.Event.RESOLVE:
        locked.resolved_at = now
        changed.append("resolved_at")
    elif step.event is domain.Event.CLOSE:
        locked.closed_at = now
        changed.append("closed_at")
        _rating_link(locked, now=now)
    elif step.event is domain.Event.REOPEN:
        locked.resolved_at = locked.closed_at = None
        changed += ["resolved_at", "closed_at"]
    locked.save(update_fields=changed)
    data: dict[str, object] = {**step.data, "status": locked.status, "version": locked.version}
    if step.event is domain.Event.HAND_OVER:
        data["from"] = str(User.objects.get(pk=case.owner_id)) if case.owner_id else None
        data["to_name"] = str(locked.owner)
    audit_record(locked, f"case.{step.event.value}", actor=actor, data=data)
    if step.event is domain.Event.HAND_OVER and locked.owner is not None:
        emit("case.assigned", obj=locked, thread=locked.number, users=[locked.owner], data={
            "number": locked.number, "subject": locked.subject, "note": str(step.data.get("note", "")),
            "from": str(actor), "staff_url": locked.get_absolute_url()})
    return locked


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _rating_link(case: Case, *, now: datetime) -> None:
    """A one-time rating link for CASE's reporter, replacing an unused one; mailed through the
    outbox when the reporter left an address (the event carries the link, the table its digest)."""
    case.ratings.filter(rated_at__isnull=True).delete()
    token = secrets.token_urlsafe(24)
    expires = now + RATING_VALID
    rating = CaseRating.objects.create(case=case, digest=_token_digest(token), created_at=now, expires_at=expires)
    if case.reporter_email:
        url = settings.BASE_URL + reverse("case_rate", args=[token])
        notify.emit("case.satisfaction", obj=case, thread=case.number, key=f"case.satisfaction:{rating.pk}",
                    addresses=[notify.Address(case.reporter_email)], now=now,
                    data={"number": case.number, "subject": case.subject, "url": url,
                          "expires": expires.astimezone(work_calendar().tz).strftime("%Y-%m-%d %H:%M")})


def rating_for(token: str, *, now: datetime | None = None) -> CaseRating:
    """The unused, unexpired rating of TOKEN; raises NotFound otherwise (all look alike)."""
    now = now or timezone.now()
    rating = (CaseRating.objects.select_related("case").filter(digest=_token_digest(token or "")).first()
              if len(token or "") <= 100 else None)
    if rating is None or rating.rated_at is not None or rating.expires_at <= now:
        raise NotFound(_("评价链接无效、已使用或已过期。"))
    return rating


@transaction.atomic
def case_rate(*, token: str, score: object, comment: str = "", now: datetime | None = None) -> CaseRating:
    """Record the reporter's rating once. Raises NotFound (bad, used or expired link), Invalid (a
    score that is not a whole number from 1 to 5, or a comment over 2,000 characters)."""
    now = now or timezone.now()
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise Invalid(_("请选择 1 到 5 分。"), field="score")
    if len(comment) > 2000:
        raise Invalid(_("评价不能超过 2000 字。"), field="comment")
    rating = rating_for(token, now=now)
    updated = CaseRating.objects.filter(pk=rating.pk, rated_at__isnull=True).update(
        score=score, comment=comment.strip(), rated_at=now)
    if not updated:  # the same link submitted twice at once
        raise NotFound(_("评价链接无效、已使用或已过期。"))
    rating.refresh_from_db()
    audit_record(rating.case, "case.rated", actor=None, data={"score": score, "comment": rating.comment})
    return rating


def attachment_type(upload: File) -> str:
    """The content type of UPLOAD by its first bytes; raises Invalid when too big or not a
    PNG/JPEG/GIF image or a PDF."""
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise Invalid(_("附件不能超过 10 MB。"), field="file")
    if upload.size == 0:
        raise Invalid(_("附件是空文件。"), field="file")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, content_type in ATTACHMENT_MAGIC:
        if head.startswith(magic):
            return content_type
    raise Invalid(_("附件须为 PNG、JPEG、GIF 图片或 PDF 文件。"), field="file")


@transaction.atomic
def case_attach(*, case: Case, actor: User, upload: File, kind: str) -> CaseAttachment:
    """Attach a file to CASE. Raises Invalid for a bad kind or file (nothing is stored then)."""
    actor_of(actor)
    if kind not in AttachmentKind.values:
        raise Invalid(_("未知附件类别。"), field="kind")
    content_type = attachment_type(upload)
    name = (getattr(upload, "name", "") or "upload").rsplit("/", 1)[-1][:200]
    attachment = CaseAttachment(case=case, kind=kind, name=name, content_type=content_type,
                                size=upload.size or 0, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(case, "case.attachment_added", actor=actor, data={
        "attachment": attachment.pk, "name": name, "kind": kind, "content_type": content_type})
    return attachment


@transaction.atomic
def case_triage(*, case: Case, actor: User, results: Mapping[str, tuple[str, str]],
                now: datetime | None = None) -> list[TriageCheck]:
    """Record the checklist: RESULTS maps items to (result, note). Raises Invalid for an unknown
    item or result; only changed items are written and audited."""
    now = now or timezone.now()
    if actor_of(actor).dealer:
        raise Forbidden(_("只有员工可以记录排查。"))
    for item, (result, note) in results.items():
        if item not in TriageItem.values:
            raise Invalid(_("未知排查项 %(item)s。") % {"item": item}, field="item")
        if result not in TriageResult.values:
            raise Invalid(_("未知排查结果 %(result)s。") % {"result": result}, field=item)
        if len(note) > 500:
            raise Invalid(_("说明不能超过 500 字。"), field=item)
    current = {t.item: t for t in TriageCheck.objects.select_for_update().filter(case=case)}
    changes = {}
    for item, (result, note) in results.items():
        row = current.get(item) or TriageCheck(case=case, item=item)
        if (row.result, row.note) == (result, note.strip()):
            continue
        row.result, row.note, row.checked_by, row.checked_at = result, note.strip(), actor, now
        row.save()
        current[item] = row
        changes[item] = {"result": result, "note": note.strip()}
    if changes:
        audit_record(case, "case.triaged", actor=actor, data={"items": changes})
    return [current[i] for i in TriageItem.values if i in current]


@transaction.atomic
def case_diagnostic(*, case: Case, actor: User, kind: str, text: str, now: datetime | None = None) -> Diagnostic:
    """Record a hardware configuration seen, a data recovery run or a hardware check. Raises Invalid."""
    if actor_of(actor).dealer:
        raise Forbidden(_("只有员工可以记录诊断。"))
    if kind not in DiagnosticKind.values:
        raise Invalid(_("未知诊断类别。"), field="kind")
    if not text.strip():
        raise Invalid(_("请填写诊断记录。"), field="text")
    record = Diagnostic.objects.create(case=case, kind=kind, text=text.strip(), recorded_by=actor,
                                       recorded_at=now or timezone.now())
    audit_record(case, "case.diagnostic", actor=actor, data={"kind": kind, "text": record.text})
    return record


def complaint_open(*, case: Case, actor: User, subject: str, description: str) -> Case:
    """Open a complaint about the dealer of CASE, owned by ACTOR (vendor staff), linked to CASE.

    Raises Forbidden for a dealer's user, Invalid when CASE has no dealer to complain about.
    """
    if actor_of(actor).dealer:
        raise Forbidden(_("代理商账号不能发起投诉。"))
    about = case.dealer or case.reporter_dealer
    if about is None:
        raise Invalid(_("此案例没有关联代理商，无法投诉。"), field="dealer")
    return case_open(
        actor=actor, channel=case.channel, case_type=CaseType.COMPLAINT, subject=subject, description=description,
        reporter=Reporter(case.reporter_name, case.reporter_phone, case.reporter_email, case.reporter_qq),
        serial=case.serial, region=case.region_code, about_dealer=about, related=case, accept=True,
    )


# --- 扫码报修: the public fault report from a unit's page ------------------------------------------

WEB_INTAKE_USERNAME = "web-intake"
MAX_REPORT_PHOTOS = 3
PHOTO_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})


def web_intake_user() -> User:
    """The account cases reported on the public unit page are recorded as created by: customer
    service, unable to sign in (as mail intake's)."""
    from django.contrib.auth.models import Group

    user, created = User.objects.get_or_create(username=WEB_INTAKE_USERNAME, defaults={
        "name": _("扫码报修"), "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.CUSTOMER_SERVICE)[0])
    return user


def check_photos(photos: list[File]) -> list[str]:
    """The content types of PHOTOS; raises Invalid (field "photos") for more than
    MAX_REPORT_PHOTOS, or one that is too big, empty or not a PNG/JPEG/GIF image by its content."""
    if len(photos) > MAX_REPORT_PHOTOS:
        raise Invalid(_("最多上传 %(n)s 张照片。") % {"n": MAX_REPORT_PHOTOS}, field="photos")
    types = []
    for photo in photos:
        try:
            content_type = attachment_type(photo)
        except Invalid as exc:
            raise Invalid(str(exc), field="photos", reason=exc.reason) from None
        if content_type not in PHOTO_TYPES:
            raise Invalid(_("照片须为 PNG、JPEG 或 GIF 图片。"), field="photos")
        types.append(content_type)
    return types


@transaction.atomic
def case_report(*, unit: Unit, name: str, phone: str, description: str, photos: list[File] | None = None,
                now: datetime | None = None) -> Case:
    """Open a `web` fault case for UNIT from its public page, with the reporter's photos.

    The unit's dealer comes from the unit (case_open). Raises Invalid (missing or bad phone, no
    description, a bad photo); nothing is stored then: photos are checked before the case is opened
    and everything is written in one transaction.
    """
    photos = list(photos or [])
    name, phone, description = name.strip(), phone.strip(), description.strip()
    if not phone:
        raise Invalid(_("请填写联系电话。"), field="phone")
    if not phone_key(phone) or len(phone_key(phone)) < 7:
        raise Invalid(_("电话号码 %(phone)s 无效。") % {"phone": phone}, field="phone")
    if not description:
        raise Invalid(_("请描述故障现象。"), field="description")
    if len(description) > 2000:
        raise Invalid(_("故障描述不能超过 2000 字。"), field="description")
    if len(name) > 100:
        raise Invalid(_("姓名不能超过 100 字。"), field="name")
    check_photos(photos)
    actor = web_intake_user()
    first_line = description.splitlines()[0].strip()
    subject = first_line if len(first_line) <= 60 else first_line[:59] + "…"
    case = case_open(actor=actor, channel=domain.Channel.WEB, case_type=CaseType.FAULT, subject=subject,
                     description=description, reporter=Reporter(name=name, phone=phone), serial=unit.serial,
                     now=now)
    for photo in photos:
        case_attach(case=case, actor=actor, upload=photo, kind=AttachmentKind.PHOTO)
    return case
