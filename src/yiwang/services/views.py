"""Public pages of service items: search, by department, by life event, the printable guide
(办事指南), the applicant's form, themes (一件事)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from yiwang.core.models import Organisation
from yiwang.core.permissions import can
from yiwang.core.utils import query_id
from yiwang.services import bpmn, selectors
from yiwang.services.choices import Audience, ItemStatus, LifeEvent
from yiwang.services.forms import ApplicationForm
from yiwang.services.models import Material, ServiceItem, Theme
from yiwang.services.search import search_themes


def _choice(value, enum):
    return value if value in enum.values else None


def search(request):
    """办事搜索: Chinese search (two-character words found), ranked by relevance and use."""
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "audience": _choice(request.GET.get("audience"), Audience),
        "life_event": _choice(request.GET.get("life_event"), LifeEvent),
    }
    department = request.GET.get("department", "")
    found = selectors.published_items(
        request.user,
        organisation_id=query_id(department),
        **params,
    )
    page = Paginator(found, 20).get_page(request.GET.get("page"))
    kept = urlencode({k: v for k, v in {**params, "department": department}.items() if v})
    return render(request, "services/search.html", {
        "page": page, "params": params, "kept": kept,
        "themes": search_themes(params["q"]) if params["q"] else [],
        "person_events": selectors.life_events(Audience.PERSON),
        "company_events": selectors.life_events(Audience.COMPANY),
    })  # fmt: skip


def departments(request):
    """按部门: each department with how many published items it implements."""
    return render(
        request, "services/departments.html", {"departments": selectors.departments_with_items()}
    )


def department(request, org_id: int):
    organisation = get_object_or_404(Organisation.objects.restrict(request.user, "view"), pk=org_id)
    found = selectors.published_items(request.user, organisation_id=organisation.pk)
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    return render(request, "services/department.html", {"organisation": organisation, "page": page})


def life_event(request, event: str):
    """按主题: items of one life event of people (出生, 就业 …) or companies (开办, 注销 …)."""
    if event not in LifeEvent.values:
        raise Http404
    found = selectors.published_items(request.user, life_event=event)
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    themes = selectors.themes(request.user, status=ItemStatus.PUBLISHED).filter(life_event=event)
    return render(request, "services/life_event.html", {
        "event": LifeEvent(event), "page": page, "themes": themes,
        "person_events": selectors.life_events(Audience.PERSON),
        "company_events": selectors.life_events(Audience.COMPANY),
    })  # fmt: skip


def _visible_item(request, item_id: int) -> ServiceItem:
    return get_object_or_404(
        ServiceItem.objects.restrict(request.user, "view").select_related(
            "organisation", "process"
        ),
        pk=item_id,
    )


def process_context(item: ServiceItem) -> dict:
    """What the BPMN viewer snippet needs: the item's process or the default one, and the
    ids of its user tasks (the admin's page highlights who works on what)."""
    if item.process_id:
        xml, name, tasks = item.process.bpmn_xml, item.process.name, item.process.user_tasks
    else:
        xml, name = bpmn.default_xml(), "并联审批（默认流程）"
        tasks = [t.as_dict() for t in bpmn.check_process(xml).user_tasks]
    return {"bpmn_xml": xml, "process_name": name, "user_tasks": tasks}


def guide(request, item_id: int):
    """办事指南: every 实施清单 element of an item, printable; 免提交 materials marked."""
    item = _visible_item(request, item_id)
    return render(request, "services/guide.html", {
        "item": item,
        "materials": item.materials.select_related("resource"),
        "participants": item.participants.all(),
        "can_edit": can(request.user, "change", item),
        **process_context(item),
    })  # fmt: skip


def application_form(request, item_id: int):
    """申请表: the item's form as the applicant fills it, with values the platform prefills;
    checking it here does not submit an application (the cases app does)."""
    item = _visible_item(request, item_id)
    definition = item.form_definition or []
    initial = selectors.prefill_values(definition, request.user)
    form = ApplicationForm(request.POST or None, definition=definition, initial=initial)
    checked = request.method == "POST" and form.is_valid()
    return render(
        request, "services/application_form.html", {"item": item, "form": form, "checked": checked}
    )


def material_example(request, material_id: int):
    """A material's example file (示例样表), for whoever may see its item."""
    material = get_object_or_404(Material.objects.select_related("item"), pk=material_id)
    if not material.example or not can(request.user, "view", material.item):
        raise Http404
    return FileResponse(material.example.open("rb"), as_attachment=True,
                        filename=material.example.name.rsplit("/", 1)[-1])  # fmt: skip


def theme_list(request):
    themes = selectors.themes(request.user, status=ItemStatus.PUBLISHED)
    return render(request, "services/themes.html", {"themes": themes})


def theme_detail(request, code: str):
    """一件事: its items, its materials asked once, its joint form."""
    theme = get_object_or_404(
        Theme.objects.restrict(request.user, "view").select_related("lead"), code=code
    )
    return render(request, "services/theme.html", {
        "theme": theme, "items": selectors.theme_items(theme),
        "materials": selectors.theme_materials(theme), "fields": selectors.theme_form(theme),
        "can_edit": can(request.user, "change", theme),
    })  # fmt: skip
