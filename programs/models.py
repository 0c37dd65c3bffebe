"""Signature, Program, ProgramVersion, ProgramAlias (+ AliasMove), Execution and LMCallTrace.

The models hold data: fields, constraints, managers and properties. Business logic lives in
``programs.services``; the engine is reached only through ``programs.gateway``. The shell methods
(``program.execute(...)``, ``program.execute_async(...)``, ``program.optimize(...)``, the last
added by the experiments app) are the declared actions, installed by ``actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.immutable import ImmutableModel
from core.ownership import OwnedQuerySet
from programs.endpoints import normalize_lm_config
from programs.module_types import module_type_choices
from programs.validators import validate_lm_config, validate_module_config

__all__ = [
    "AliasMove",
    "Execution",
    "ExecutionFeedback",
    "LMCallTrace",
    "LMCredential",
    "Program",
    "ProgramAlias",
    "ProgramVersion",
    "Signature",
]


class Signature(models.Model):
    """A typed input/output contract, as a spec string (``"question -> answer"``) or a field list.

    ``fields`` items: ``{"name", "kind": "input"|"output", "type", "desc", "prefix",
    "constraints": {...}}`` (all but ``name`` and ``kind`` optional; no ``type`` means untyped).
    """

    name = models.CharField(max_length=200)
    spec = models.TextField(
        blank=True, help_text='String syntax, e.g. "context: list[str], question -> answer"'
    )
    fields = models.JSONField(default=list, blank=True, help_text="Field list, when no spec is given")
    instructions = models.TextField(blank=True, help_text="Empty: DSPy's default instructions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="signature_unique_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A module (``predict``, ``chain_of_thought``, ...) over a signature, with its LM config.

    ``lm_config``: ``{"endpoint", "model", "credential", "params"}`` -- an endpoint the operator
    configured (``programs.endpoints``), the id of one of the owner's ``LMCredential`` rows, never
    a URL, an environment variable name or a key.
    """

    class Backend(models.TextChoices):
        AUTO = "auto", "Auto"
        NATIVE = "native", "Native"
        DSPY = "dspy", "DSPy"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="programs")
    module_type = models.CharField(max_length=64, choices=module_type_choices, default="predict")
    module_config = models.JSONField(default=dict, blank=True, help_text="Keyword arguments of the module")
    backend = models.CharField(max_length=16, choices=Backend.choices, default=Backend.AUTO)
    lm_config = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"endpoint", "model", "credential", "params"}: no URL, variable or key',
    )
    current_version = models.ForeignKey(
        "ProgramVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="programs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="program_unique_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    def alias(self, name: str) -> ProgramAlias:
        """The alias ``name`` of this program (``ProgramAlias.DoesNotExist`` when it has none)."""
        return self.aliases.select_related("version").get(name=name)

    def clean(self) -> None:
        """The checks that need no engine (the services check the rest: ``program_check``)."""
        validate_module_config(self.module_config, self.module_type)
        # A base_url that is exactly an endpoint's URL becomes that endpoint (older configs).
        self.lm_config = normalize_lm_config(self.lm_config)
        validate_lm_config(self.lm_config)


class ProgramVersion(ImmutableModel):
    """One immutable, numbered state of a program (``dump_state()`` JSON in DSPy's layout)."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        EXPERIMENT = "experiment", "Experiment"
        IMPORT = "import", "Import"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.JSONField(default=dict, help_text="Predictor path -> demos, signature, lm (DSPy layout)")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="children"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="programversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="programversion_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.program} v{self.number}"


class ProgramAlias(models.Model):
    """A named pointer of a program to one of its versions (``production``, ``staging``, ...).

    Executions name an alias to run what it points to; every move is an :class:`AliasMove`, so
    the alias can be rolled back. Moves go through ``programs.aliases``.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="aliases")
    name = models.SlugField(max_length=64, help_text="Letters, digits, - and _; e.g. production")
    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="aliases")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program_id", "name"]
        verbose_name_plural = "program aliases"
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="programalias_unique_name")]

    def __str__(self) -> str:
        return f"{self.program}@{self.name}"

    # Shell conveniences over the program's declared alias actions (``program.move_alias``, ...).
    def move_to(self, version: ProgramVersion | int, reason: str = "") -> ProgramAlias:
        """``program.alias("production").move_to(version)``: move this alias (recorded)."""
        number = version.number if isinstance(version, ProgramVersion) else version
        moved: ProgramAlias = self.program.move_alias(self.name, version=number, reason=reason)  # type: ignore[attr-defined]
        return moved

    def rollback(self, reason: str = "") -> ProgramAlias:
        """Move this alias back to where it was before its latest move (recorded)."""
        back: ProgramAlias = self.program.rollback_alias(self.name, reason=reason)  # type: ignore[attr-defined]
        return back


class AliasMove(models.Model):
    """One move of an alias: who, when, from which version to which, and why."""

    class Kind(models.TextChoices):
        CREATE = "create", "Created"
        MOVE = "move", "Moved"
        ROLLBACK = "rollback", "Rolled back"

    alias = models.ForeignKey(ProgramAlias, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_version = models.ForeignKey(
        ProgramVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alias_id", "-moved_at", "-id"]

    def __str__(self) -> str:
        start = f"v{self.from_version.number} -> " if self.from_version is not None else ""
        return f"{self.alias}: {start}v{self.to_version.number} ({self.kind})"


class Execution(models.Model):
    """One run of a program version: inputs, outputs, status, cost, and a trace of its LM calls."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    program_version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="executions")
    alias = models.CharField(
        max_length=64, blank=True, help_text="The alias that chose the version (empty: none did)"
    )
    inputs = models.JSONField(default=dict)
    outputs = models.JSONField(null=True, blank=True)
    steps = models.JSONField(
        default=list,
        blank=True,
        help_text="Pipelines: one record per step run (inputs, outputs, latency, ...)",
    )
    attempts = models.JSONField(
        default=list,
        blank=True,
        help_text="Each backend the hybrid router tried (native, then dspy on fallback)",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    error = models.TextField(blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    backend = models.CharField(max_length=16, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(
        max_digits=14, decimal_places=8, null=True, blank=True, help_text="USD; empty when unknown"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="executions"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the process running it"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Execution {self.pk} of {self.program_version} ({self.status})"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ExecutionFeedback(models.Model):
    """One user's judgement of one execution: a score in [0, 1], a label, a correction of the
    outputs and/or a comment. Giving feedback again replaces that user's (one row per user and
    execution). Written through the ``execution.feedback`` action."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(null=True, blank=True, help_text="0 (bad) to 1 (good)")
    label = models.CharField(max_length=200, blank=True)
    correction = models.JSONField(null=True, blank=True, help_text="Output field -> the right value")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["execution_id", "-updated_at"]
        verbose_name_plural = "execution feedback"
        constraints = [
            models.UniqueConstraint(fields=["execution", "user"], name="executionfeedback_one_per_user"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=1)),
                name="executionfeedback_score_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback of {self.user_id} on execution {self.execution_id}"


class LMCallTrace(models.Model):
    """One LM request made during an execution (``dspex.track_calls`` entry)."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="lm_calls")
    position = models.PositiveIntegerField()
    model = models.CharField(max_length=200)
    messages = models.JSONField(default=list)
    params = models.JSONField(default=dict, blank=True)
    outputs = models.JSONField(default=list)
    usage = models.JSONField(default=dict, blank=True)
    finish_reasons = models.JSONField(default=list, blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    cache_hit = models.BooleanField(default=False)
    cost = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, help_text="When the call finished")

    class Meta:
        ordering = ["execution_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["execution", "position"], name="lmcalltrace_unique_position")
        ]

    def __str__(self) -> str:
        return f"LM call {self.position} of execution {self.execution_id} ({self.model})"

    @property
    def response(self) -> str:
        """The first completion text."""
        return self.outputs[0] if self.outputs else ""


class LMCredential(models.Model):
    """A user's own API key for one endpoint, stored encrypted (``programs.credentials``).

    The key is written once and never shown again: the API, GraphQL and admin show its ``label``
    and ``fingerprint`` only. It is only ever sent to its own ``endpoint``, by programs of its
    owner whose ``lm_config.credential`` names it.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lm_credentials"
    )
    endpoint = models.CharField(max_length=64, help_text="The name of an endpoint in DSPEX_LM_ENDPOINTS")
    label = models.CharField(max_length=100)
    encrypted_key = models.TextField(editable=False)
    fingerprint = models.CharField(max_length=32, editable=False, help_text="sha256 prefix of the key")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["endpoint", "label", "id"]
        verbose_name = "LM credential"
        constraints = [
            models.UniqueConstraint(fields=["owner", "label"], name="lmcredential_unique_label_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.endpoint}, {self.fingerprint})"
