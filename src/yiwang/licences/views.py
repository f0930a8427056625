"""E-licence pages: public verification (phone-friendly), and the holder's wallet (卡包)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from yiwang.core.errors import NotFound
from yiwang.licences import face, publication, selectors
from yiwang.licences.pdf import licence_pdf
from yiwang.licences.verification import verify_document, verify_licence

MAX_PASTE = 200_000


def _verify_pasted(text: str):
    """A pasted signed JSON is checked as a document; anything else as an identifier or QR content."""
    if text.lstrip().startswith("{"):
        try:
            return verify_document(json.loads(text))
        except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
            return verify_document({})
    return verify_licence(text)


def _held(request, licence_id: int):
    try:
        return selectors.held_licence(request.user, licence_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_http_methods(["GET", "POST"])
def verify(request):
    """证照核验: paste an identifier, the QR content or the signed JSON; a scanned QR opens ?id=."""
    text = (
        request.POST.get("q")
        if request.method == "POST"
        else request.GET.get("id") or request.GET.get("q")
    ) or ""
    result = _verify_pasted(text[:MAX_PASTE]) if text.strip() else None
    fingerprint = publication.platform_fingerprint()
    current_key, earlier_keys = publication.platform_key_history()
    return render(request, "licences/verify.html", {
        "result": result, "text": text[:MAX_PASTE], "fingerprint": fingerprint,
        "fingerprint_groups": _grouped(fingerprint), "current_key": current_key,
        "earlier_keys": [(key, _grouped(key.fingerprint)) for key in earlier_keys],
    })  # fmt: skip


def _grouped(fingerprint: str) -> list[str]:
    """A fingerprint in groups of four hex digits: easier to compare by eye, and it wraps on a phone."""
    return [fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4)]


@login_required
def wallet(request):
    """我的证照: the user's licences and those of the companies they act for."""
    licences = list(selectors.current_wallet_for(request.user)[:500])
    identified = bool(request.user.id_number) or request.user.agencies.exists()
    return render(request, "licences/wallet.html", {"licences": licences, "identified": identified})


@login_required
def wallet_detail(request, licence_id: int):
    """One licence: its 照面 with seal and QR, its status, downloads, and 用证记录."""
    licence = _held(request, licence_id)
    return render(request, "licences/detail.html", {
        "licence": licence, "face": face.face_of(licence), "qr": face.qr_data_uri(licence.identifier),
        "seal": mark_safe(licence.seal.appearance),  # noqa: S308 — drawn by seal_svg when made, the text escaped
        "uses": selectors.uses_of(licence)[:200], "versions": selectors.versions_of(licence),
    })  # fmt: skip


@login_required
def wallet_pdf(request, licence_id: int):
    licence = _held(request, licence_id)
    response = HttpResponse(licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="licence-{licence.number}-v{licence.version}.pdf"'
    )
    return response


@login_required
def wallet_json(request, licence_id: int):
    licence = _held(request, licence_id)
    response = JsonResponse(
        publication.bundle(licence), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="licence-{licence.number}-v{licence.version}.json"'
    )
    return response
