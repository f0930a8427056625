from django.db import models


class SearchDocument(models.Model):
    """One searchable thing (a resource, a service item …) in the Chinese full-text index.

    This row is the source of truth; the index proper is kept beside it by the
    `search_index` migration: on SQLite an FTS5 table `core_searchdocument_fts`
    (external content, kept in sync by triggers on this table), on PostgreSQL a
    generated `search_vector` tsvector column with a GIN index. Write it only
    through `yiwang.core.search`, which computes the tokens.

    A later migration that alters this table makes Django rebuild it on SQLite,
    which drops the triggers: such a migration must create them again (and run
    `INSERT INTO core_searchdocument_fts(core_searchdocument_fts) VALUES('rebuild')`).
    Every search test fails if it does not.
    """

    kind = models.CharField("类型", max_length=64)
    object_id = models.BigIntegerField("对象编号")
    title = models.TextField("标题")
    body = models.TextField("正文", blank=True)
    title_tokens = models.TextField("标题词元", blank=True)
    tokens = models.TextField("词元", blank=True, help_text="标题和正文的词元，以空格分隔")
    boost = models.FloatField("加权", default=0)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="core_searchdocument_kind_object_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id} {self.title}"
