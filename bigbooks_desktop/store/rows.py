"""The peewee tables of sync state (names end in `Row`); only the store's own modules touch them."""

from __future__ import annotations

from peewee import (
    AutoField,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from bigbooks_desktop.store.fields import (
    DecimalTextField,
    JsonTextField,
    NullableDecimalTextField,
    NullableUtcDateTimeField,
    UtcDateTimeField,
)

__all__ = [
    "ALL_ROWS",
    "ActivityRow",
    "BaseRow",
    "ClientLinkRow",
    "CreditLinkRow",
    "CursorRow",
    "EntityStateRow",
    "ErrorFixRow",
    "ErrorRow",
    "IntentRow",
    "ItemLinkRow",
    "MappingProfileActivationRow",
    "MappingProfileVersionRow",
    "OrderCopyRow",
    "OrderLinkRow",
    "PaymentLinkRow",
    "RunObjectRow",
    "SyncRunRow",
    "TaxLinkRow",
    "database_proxy",
]

# Bound to the real SqliteDatabase by store.db.open_database().
database_proxy = DatabaseProxy()


class BaseRow(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


# ---------------------------------------------------------------------------------------------- links


class OrderLinkRow(BaseRow):
    """One BigCommerce order and the FreshBooks invoice written for it."""

    id = AutoField()
    order_id = IntegerField(unique=True)                    # BigCommerce order id
    invoice_id = IntegerField(null=True)                    # FreshBooks invoice id (None while voided/undone)
    invoice_number = TextField(null=True)                   # FreshBooks invoice number, e.g. "BC-100"
    account_id = TextField()                                # FreshBooks account id the invoice lives in
    fingerprint = TextField()                               # hash of what was last written to FreshBooks
    order_date_modified = NullableUtcDateTimeField()        # BigCommerce date_modified when last synced
    status = TextField()                                    # OrderLinkStatus
    created_run = IntegerField(null=True)                   # SyncRunRow id that created the invoice
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    profile_version = IntegerField(null=True)               # mapping profile version that last wrote it (step 5)

    class Meta:
        table_name = "order_link"


class ClientLinkRow(BaseRow):
    """A BigCommerce customer (or a guest e-mail) and its FreshBooks client."""

    id = AutoField()
    customer_key = TextField(unique=True)                   # "customer:42" or "guest:ann@example.com"
    client_id = IntegerField()                              # FreshBooks client (userid)
    fingerprint = TextField()                               # hash of the client fields last written
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "client_link"


class ItemLinkRow(BaseRow):
    """A SKU and its FreshBooks item."""

    id = AutoField()
    sku = TextField(unique=True)
    item_id = IntegerField()                                # FreshBooks item id
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "item_link"


class PaymentLinkRow(BaseRow):
    """A BigCommerce payment transaction and the FreshBooks payment recorded for it."""

    id = AutoField()
    transaction_id = TextField(unique=True)                 # BigCommerce transaction id
    payment_id = IntegerField()                             # FreshBooks payment id
    order_id = IntegerField(index=True)
    amount = DecimalTextField()
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "payment_link"


class CreditLinkRow(BaseRow):
    """A BigCommerce refund and the FreshBooks credit note and/or negative payment written for it."""

    id = AutoField()
    refund_id = TextField(unique=True)                      # BigCommerce refund id
    credit_note_id = IntegerField(null=True)                # FreshBooks credit note id
    payment_id = IntegerField(null=True)                    # FreshBooks payment id (refund as payment)
    order_id = IntegerField(index=True)
    amount = DecimalTextField()
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "credit_link"


class TaxLinkRow(BaseRow):
    """A BigCommerce tax (name + rate) and the FreshBooks tax it maps to."""

    id = AutoField()
    name = TextField()                                      # BigCommerce tax class / rate name
    rate = DecimalTextField()                               # percent, normalized ("8.25")
    tax_id = IntegerField(null=True)                        # FreshBooks tax id when one exists
    tax_name = TextField()                                  # FreshBooks tax name written on lines
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "tax_link"
        indexes = ((("name", "rate"), True),)


# ------------------------------------------------------------------------------------ sync progress


class CursorRow(BaseRow):
    """Where a stream (orders, refunds...) was read up to."""

    stream = TextField(primary_key=True)
    value = TextField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "cursor"


class IntentRow(BaseRow):
    """A write-ahead intent: recorded before a FreshBooks write, completed after it (exactly-once)."""

    id = AutoField()
    kind = TextField()                                      # IntentKind
    natural_key = TextField()                               # e.g. "invoice:BC-100"
    order_id = IntegerField(null=True, index=True)
    run_id = IntegerField(null=True)
    payload = JsonTextField()
    state = TextField()                                     # IntentState
    object_id = IntegerField(null=True)                     # FreshBooks id of the created object, when known
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "intent"
        # The partial unique index "(kind, natural_key) while pending" is created by migrations.py.


class ErrorRow(BaseRow):
    """One problem with one order at one stage: the error queue / inbox. Resolved rows stay as history."""

    id = AutoField()
    order_id = IntegerField(null=True, index=True)
    stage = TextField()                                     # ErrorStage
    kind = TextField()                                      # core.errors.ErrorKind
    title = TextField()
    message = TextField()                                   # what happened and what to do
    payload = JsonTextField()                               # snapshot of the data that failed
    edits = JsonTextField()                                 # user's fixes, field -> value
    attempts = IntegerField(default=0)
    next_retry_at = NullableUtcDateTimeField()
    status = TextField(index=True)                          # ErrorStatus
    run_id = IntegerField(null=True)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    resolved_at = NullableUtcDateTimeField()
    cause = JsonTextField(default=dict)                     # {"code": ..., params}: why, as data (step 3)
    subject = TextField(null=True, index=True)              # not an order's: "item:SKU", "client:KEY" (step 6)

    class Meta:
        table_name = "error"
        # The partial unique index "(order_id, stage) while active" is created by migrations.py.


class ErrorFixRow(BaseRow):
    """What someone did about an inbox row (a fix, a retry, an ignore with its reason): the row's history
    (created by migration step 3, explicit SQL)."""

    id = AutoField()
    error_id = IntegerField(index=True)                     # ErrorRow id
    order_id = IntegerField(null=True, index=True)
    at = UtcDateTimeField()
    actor = TextField()                                     # who: the user's login name, or "BigBooks"
    action = TextField()                                    # FixAction
    text = TextField()                                      # what, in words (redacted)
    details = JsonTextField()                               # what, as data

    class Meta:
        table_name = "error_fix"


class SyncRunRow(BaseRow):
    """One sync run (once, watch, dry-run, backfill, retry, undo)."""

    id = AutoField()
    mode = TextField()                                      # RunMode
    status = TextField()                                    # RunStatus
    started_at = UtcDateTimeField()
    finished_at = NullableUtcDateTimeField()
    counts = JsonTextField()                                # RunCounts as JSON
    error = TextField(null=True)                            # redacted text of the failure
    pid = IntegerField(null=True)                           # process that ran it (stale-run detection)

    class Meta:
        table_name = "sync_run"


class RunObjectRow(BaseRow):
    """A FreshBooks object a run created, so the run can be undone."""

    id = AutoField()
    run = ForeignKeyField(SyncRunRow, on_delete="CASCADE", backref="objects")
    object_kind = TextField()                               # IntentKind value: invoice, client, payment...
    object_id = IntegerField()                              # FreshBooks id
    order_id = IntegerField(null=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "run_object"


class ActivityRow(BaseRow):
    """The activity log. Text is redacted before it is written."""

    id = AutoField()
    at = UtcDateTimeField(index=True)
    level = TextField()                                     # ActivityLevel
    run_id = IntegerField(null=True, index=True)
    order_id = IntegerField(null=True)
    message = TextField()

    class Meta:
        table_name = "activity"


class OrderCopyRow(BaseRow):
    """The local copy of one BigCommerce order beside what BigBooks wrote for it, kept by the sync so the
    window's tables never wait on either API (created by migration step 2, explicit SQL)."""

    order_id = IntegerField(primary_key=True)
    date_created = UtcDateTimeField()
    date_modified = UtcDateTimeField()
    status_id = IntegerField()
    status = TextField()
    customer = TextField()
    email = TextField()
    currency = TextField()
    total = DecimalTextField()
    tax = DecimalTextField()
    refunded = DecimalTextField()
    invoice_id = IntegerField(null=True)
    invoice_number = TextField(null=True)
    invoice_amount = NullableDecimalTextField()
    invoice_tax = NullableDecimalTextField()
    state = TextField()                                     # OrderCopyState
    note = TextField()                                      # why, when not synced
    updated_at = UtcDateTimeField()
    outcome = TextField(default="")                         # the pipeline's result word (step 4)
    detail = JsonTextField()                                # both records line by line (step 4)

    class Meta:
        table_name = "order_copy"


# ------------------------------------------------------------------------------------ mapping profiles


class MappingProfileVersionRow(BaseRow):
    """One saved version of a named mapping profile; versions are never changed, only added (created by
    migration step 5, explicit SQL)."""

    id = AutoField()
    name = TextField()                                      # the profile's name, e.g. "Standard invoices"
    version = IntegerField()                                # 1, 2, ... per name
    json = TextField()                                      # MappingProfile.to_json()
    created_at = UtcDateTimeField()
    note = TextField()                                      # why it was saved ("restored from v2")
    created_by = TextField()                                # ProfileAuthor: window, cli, import

    class Meta:
        table_name = "mapping_profile_version"
        indexes = ((("name", "version"), True),)


class MappingProfileActivationRow(BaseRow):
    """A version put in use; the newest row is the profile database's active mapping profile (step 5)."""

    id = AutoField()
    name = TextField()
    version = IntegerField()
    at = UtcDateTimeField()
    created_by = TextField()                                # ProfileAuthor
    note = TextField()

    class Meta:
        table_name = "mapping_profile_activation"


class EntityStateRow(BaseRow):
    """A FreshBooks item or client that follows a BigCommerce product variant or customer (catalog and customer
    sync): the field values BigBooks last wrote or agreed to (the baseline of `sync.field_merge`), and whether
    the record was archived or its source deleted (created by migration step 6, explicit SQL)."""

    id = AutoField()
    kind = TextField()                                      # "item" or "client"
    key = TextField()                                       # the SKU, or the client key ("customer:42")
    object_id = IntegerField()                              # FreshBooks item or client id
    source_id = IntegerField()                              # BigCommerce variant/product or customer id
    values = JsonTextField()                                # field -> text, as last written or agreed
    source_modified = NullableUtcDateTimeField()            # BigCommerce's date_modified then
    state = TextField()                                     # "active", "archived", "source_deleted"
    synced_at = UtcDateTimeField()

    class Meta:
        table_name = "entity_state"
        indexes = ((("kind", "key"), True),)


ALL_ROWS: tuple[type[BaseRow], ...] = (
    OrderLinkRow, ClientLinkRow, ItemLinkRow, PaymentLinkRow, CreditLinkRow, TaxLinkRow,
    CursorRow, IntentRow, ErrorRow, SyncRunRow, RunObjectRow, ActivityRow, OrderCopyRow, ErrorFixRow,
    MappingProfileVersionRow, MappingProfileActivationRow, EntityStateRow,
)
