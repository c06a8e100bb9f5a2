"""Order consignments as BigCommerce serves them: `GET /v2/orders/{id}/consignments` and, on the order list and
the single order, `include=consignments` / `include=consignments.line_items` with `consignment_structure=object`.

Evidence (paths under /work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference/):
- `orders.v2.oas2.yml` `order_includes` / `consignment_structure` (lines 1437-1463): `consignments` sideloads the
  /consignments answer into the order, `consignments.line_items` puts the /products rows into the consignments'
  `line_items`; `/orders/{order_id}/consignments` (line 1063) takes `include=consignments.line_items`.
- `orderConsignment_Get` (line 5279): an object with `pickups`, `shipping`, `downloads` (at most one) and
  `email.gift_certificates`; the spec's examples carry all four keys, empty ones as `[]`.
- `shippingConsignment_Get` (line 5489): the address fields, `line_items`, `items_total`, `items_shipped`,
  `shipping_method`, the shipping and handling costs **as JSON numbers** (unlike the 4-dp strings of
  /shipping_addresses), their tax class ids, the shipping zone and a `shipping_quotes` link. No `order_id`.
- A real GET /v2/orders/{id}/consignments fixture (aligent/aligent-graphql-mesh,
  packages/modules/bigcommerce/src/factories/__tests__/__data__/order-consignment-data.ts) agrees: costs are
  numbers, `line_items` are `{url, resource}` links to `/orders/{id}/products/{line id}` without the include,
  and the consignment id is the id in its `/consignments/shipping/{id}/shipping_quotes` link. A real order
  body (order 463 in a public integration guide, found by searching for `"consignments": {`) carries
  `"consignments": {"url": ".../v2/orders/463/consignments", "resource": "/orders/463/consignments"}`
  without the include, placed like the other sub-resource links.
- BigCommerce's BOPIS guide (bigcommerce/docs, "Example response: Get consignments") shows a pickup
  consignment whose id equals the lines' `order_pickup_method_id`; the refunds guide (item_id of a SHIPPING
  refund item is "the order address id") needs one id for the address and the consignment. So a shipping
  consignment's id here is its order address id, and it holds the physical lines whose `order_address_id` is
  that id.
- Digital lines go to the one download consignment and gift certificate lines to email consignments (one per
  certificate): PR bigcommerce/api-specs#969 ("adding physical products or custom products to the Download
  consignment will yield an error"). The recipient email is modelled as the billing email (the generator
  keeps no recipient). The spec's own digital and gift certificate examples show `line_items` as one object,
  but their schemas say an array, as for shipping and pickups: arrays here.

Not modelled: the legacy array structure served without `consignment_structure=object` (bigcommerce/docs#754
calls it legacy, to be removed), and the `{url, resource}` link real order bodies carry without the include
(`consignment_link` builds it; `routes_v2.render_order` says why it is left out): without the include, or
without `consignment_structure=object`, the order has no `consignments` key.
"""

from __future__ import annotations

from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.wire import render_v2

__all__ = ["consignment_link", "render_consignments", "wanted_includes"]

NOT_SHIPPED = ("digital", "giftcertificate")


def wanted_includes(params: Any) -> set[str]:
    """The comma list of `include` (style form, explode false in the spec)."""
    return {part.strip() for part in (params.get("include") or "").split(",") if part.strip()}


def _base(store_hash: str, order_id: int) -> str:
    return f"https://api.bigcommerce.com/stores/{store_hash}/v2/orders/{order_id}"


def consignment_link(store_hash: str, order_id: int) -> dict[str, str]:
    return {"url": f"{_base(store_hash, order_id)}/consignments", "resource": f"/orders/{order_id}/consignments"}


def render_consignments(store_hash: str, record: dict[str, Any], *, line_items: bool) -> dict[str, Any]:
    """`orderConsignment_Get` for one order record: with the /products rows themselves as `line_items` when
    `line_items`, else links to them."""
    order = record["order"]
    order_id = order["id"]
    base = _base(store_hash, order_id)

    def items(lines: list[dict[str, Any]]) -> list[Any]:
        if line_items:
            return list(render_v2(lines))
        return [{"url": f"{base}/products/{ln['id']}", "resource": f"/orders/{order_id}/products/{ln['id']}"}
                for ln in lines]

    products = record["products"]
    shipping = []
    for address in record["shipping_addresses"]:
        body = {k: v for k, v in address.items() if k != "order_id"}
        lines = [ln for ln in products if ln["type"] not in NOT_SHIPPED and ln["order_address_id"] == address["id"]]
        body["line_items"] = items(lines)
        body["shipping_quotes"] = {
            "url": f"{base}/consignments/shipping/{address['id']}/shipping_quotes",
            "resource": f"/orders/{order_id}/consignments/shipping/{address['id']}/shipping_quotes",
        }
        shipping.append(render_v2(body, numbers=True))
    email = order["billing_address"]["email"]
    digital = [ln for ln in products if ln["type"] == "digital"]
    downloads = [{"recipient_email": email, "line_items": items(digital)}] if digital else []
    gifts = [{"recipient_email": email, "line_items": items([ln])}
             for ln in products if ln["type"] == "giftcertificate"]
    return {"pickups": [], "shipping": shipping, "downloads": downloads, "email": {"gift_certificates": gifts}}
