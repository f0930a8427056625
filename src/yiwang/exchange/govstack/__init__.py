"""The GovStack Digital Registries building-block API 1.3.0, as an adaptor over Yiwang.

Mounted at ``settings.GOVSTACK_PREFIX`` (default ``/govstack/dr/``, may be ``/``):

- ``data/{registryname}/{versionnumber}`` GET (list), ``…/create`` POST, ``…/exists`` POST,
  ``…/read`` POST, ``…/update`` PUT, ``…/updateEntries`` PUT, ``…/updateOrCreate`` POST,
  ``…/{ID}/delete`` DELETE, ``…/{uuid}/readValue/{field}.{ext}`` GET;
- ``data/myPersonalDataUsage`` GET (``userId``, ``databaseId``);
- ``databases`` GET, ``database/{id}`` GET and DELETE, ``database/modify`` POST;
- the paths of earlier revisions: ``…/update-entries``, ``…/update-or-create``,
  ``…/{uuid}/read-value/{field}.{ext}`` and ``data/MyPersonalDataUsage/1.0``.

Registries. A registry is a published catalog resource (政务信息资源): ``registryname`` is its
code with "/" written "-" (``B0101/000001`` → ``B0101-000001``), ``versionnumber`` a published
version as ``1.0`` (``1`` is accepted). Each publication of the fields is an API version (the
spec: "a new API service version is generated after each schema publish"): an earlier version
is read through the current records projected onto that version's fields (the catalog's
snapshot), masked as the current fields say; writes take the current version only (409
``govstack.version_superseded`` for an earlier one); a version never published answers 404.
Record properties are field codes.

Identity. ``Information-Mediator-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM`` names the calling
system: INSTANCE is ``settings.GOVSTACK_INSTANCE``, CLASS ``GOV``, MEMBER the organisation's
统一社会信用代码, SUBSYSTEM the client's subsystem code. The header is a claim that anyone can
type, not proof, so ``Authorization: Bearer <key>`` of that same client is required too. The spec
lists no status for refusals; we answer 400 for a missing or malformed header, 401 (with
``WWW-Authenticate``) for a missing, unknown or unusable key, and 403 when the header names
another system than the key's. The header is compared with the key's own client only, so no
answer tells a caller without a valid key whether some other system exists. Every call,
answered or refused, is one exchange log row committed before it is answered: data reads are
logged by the gateway; writes, schema reads and usage lookups by ``common.logged_call``; and the
refusals before either — identity, NUL in the path or body (400 ``request.nul``) — by
``common.endpoint``. A body holding a lone surrogate (JSON lets a \\ud800 escape through) is
refused as not valid JSON (400 ``govstack.bad_json``).

Reads (list, read, exists, readValue) are gateway calls: the same grant check, quotas, purpose
(``X-Purpose``, percent-encoded, required for 有条件共享) and optional ``X-Case-Number``,
the same masking, and the same exchange log committed before the answer — refusals included.
The owner's own systems need a grant to read too, as on the gateway.
Queries (``query.<field>`` of list, ``query.content`` of read and exists) may name the key field
and fields the owner declared filterable (可作为查询条件) that the grant covers. ``search`` is a
case-insensitive substring match (not a regular expression: a client must not be able to make
the database run arbitrary regexes) over filterable, non-personal text fields, or over the one
field named by ``filter``. ``ordering`` is ``ascending``/``descending`` (by key) or a queryable
field code, ``-`` first for descending. Pages are 1-based, ``pageSize`` 10 by default and at most
100; ``next``/``previous`` are absolute URIs or null (the spec marks them ``x-nullable``). A
registry with personal fields is never listed without a condition: bulk enumeration of people is
not a use the shared-data rules allow. ``read`` by a condition matching several records answers
409 rather than an arbitrary one. Empty values are left out of records; the ``readValue`` of an
empty field answers ``{"message": …}`` without ``value``, and only ``.json`` is served.

Writes (create, update, updateEntries, updateOrCreate, delete) are open to the owner's own
systems only (403 otherwise): grants give read access, never write access. Rows go through the
registry's load pipeline — the same validation, quarantine, quality report and audit as any
load — but synchronously: ``registry.services.receive_batch`` always queues its load, while an
API caller must learn in its answer whether the row was stored, so the row is received as a
JSON Lines load with ``receive_file(background=False)`` and run at once. A quarantined row
answers 400 (409 for an existing key on create) with the loader's stable code and Chinese
message, the row errors and the load id. ``update`` merges the written fields into the stored
record (a load replaces whole records; two concurrent updates of one record: the last wins);
the key cannot be changed. updateEntries needs a query and answers ``{"count": n}``. Delete removes the record and writes one audit event per record
(values masked), and the registry's quality figures follow it as they follow a load (a small
deletion soon after the last measurement waits for the next), see ``writes.delete_records``.

Each write is also in the exchange log, as a read is, under its own operation
(``govstack.create``, ``govstack.update``, ``govstack.updateEntries``, ``govstack.updateOrCreate``,
``govstack.delete``): the client and its organisation, the registry, the keys named (hashed),
the fields written (all of them for a delete), the records written, the status, ``X-Purpose`` and
``X-Case-Number`` if given (a malformed one is refused as on a read), and whose records were written — the subjects of each record before
and after the write, so that a change of legal representative concerns both people. A write
refused after its load stored some rows (a load commits its valid rows) names those rows too.

Errors answer ``{"detail": "…", "code": "stable.code", "message": "中文说明"}``; ``detail`` is
``"no record found"`` when a record is missing, as the spec's read answer says.

Database API. ``databases`` answers one group (the catalog of this deployment) with every
published resource the client may see; ``database/{id}`` (the resource id) its information and a
JSON Schema built from its fields (with ``x-dataType``, ``x-personal``, ``x-filterable``). A
registry's structure is its catalog entry, so ``database/modify`` (``code`` + ``schema``)
changes the fields through ``catalog.services.update_resource`` and ``DELETE database/{id}``
retires the resource through ``retire_resource`` — the owner organisation's own systems only
(403 otherwise), with the catalog's rules (keys of a published resource unchanged, a new
version) and its audit; a schema read from ``database/{id}`` and edited round-trips. Both are
logged as writes (``govstack.database.modify``, ``govstack.database.delete``), without subjects;
the reads as ``schema`` (登记簿结构查询), with the registry read (none for ``databases``) and
the number of registries answered.

myPersonalDataUsage answers, for ``userId`` (a 身份号码, or a company's USCC) and ``databaseId``
(a registry name), every exchange that read or wrote that subject's record in that registry, with
``operation`` and its Chinese name ``operationName`` (单条查询, 修改记录, 删除记录…) beyond the
spec's properties.
Who read whose data is itself personal data, so only systems listed in
``settings.GOVSTACK_USAGE_CLIENTS`` (identities ``USCC/subsystem``; empty by default) may ask:
systems that have authenticated the person and ask for that person's own record. Each answer is
audited, and each lookup is an exchange log row (``usage``, 使用记录查询) against the registry,
with the number of entries answered and the person (their keyed hash) as its subject — so the
person sees, in 我的数据使用记录 and in later lookups, which system looked at their usage.
"""

from yiwang.exchange.govstack.urls import urlpatterns

__all__ = ["urlpatterns"]
