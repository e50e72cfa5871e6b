"""Catalogue GraphQL types: products, categories, brands, suppliers, facets and comparison."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from db.catalogue_queries import ProductRow, SpecRow
from db.models import Brand as BrandRow
from db.models import Category as CategoryRow
from db.models import Supplier as SupplierRow
from domain import money
from domain.catalogue import UNIT_NAMES_TR, SortDirection, SortField, SpecKind, Unit
from graph import cursors, ids
from graph.context import Info
from graph.execution import COMPUTED
from graph.schema.common import Money, Node, PageInfo

# strawberry.enum registers the domain enums in place, under their public GraphQL names.
strawberry.enum(Unit, name="ProductUnit", description="Unit of measure (UN/ECE Rec. 20 code).")
strawberry.enum(SpecKind, name="SpecificationKind")
strawberry.enum(
    SortField,
    name="ProductSortField",
    description="RELEVANCE needs a search; without one it sorts like NEWEST.",
)
strawberry.enum(SortDirection, name="SortDirection")


@strawberry.type(description="A CPV (OKAS) category; the tree follows the code structure.")
class Category(Node):
    code: str = strawberry.field(description="CPV code with check digit, e.g. 30213100-6.")
    name: str = strawberry.field(description="Turkish name when known, else the English one.")
    name_tr: str | None = strawberry.field(description="Turkish name.")
    name_en: str = strawberry.field(description="English name (CPV 2008).")
    depth: int = strawberry.field(description="0 for a division, growing towards leaves.")
    parent_id: strawberry.Private[str | None]

    @strawberry.field(description="The parent category; null for a division.")
    async def parent(self, info: Info) -> Category | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.category_by_id.load(self.parent_id)
        return Category.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: CategoryRow) -> Category:
        return cls(
            id=strawberry.ID(ids.encode("Category", str(row.id))),
            code=row.code,
            name=row.name_tr or row.name_en,
            name_tr=row.name_tr,
            name_en=row.name_en,
            depth=row.depth,
            parent_id=str(row.parent_id) if row.parent_id else None,  # type: ignore[attr-defined]
        )


@strawberry.type(description="A manufacturer's brand.")
class Brand(Node):
    name: str
    slug: str

    @classmethod
    def from_row(cls, row: BrandRow) -> Brand:
        return cls(id=strawberry.ID(ids.encode("Brand", str(row.id))), name=row.name, slug=row.slug)


@strawberry.type(description="The contractor DMO buys the product from (yüklenici).")
class Supplier(Node):
    name: str
    slug: str

    @classmethod
    def from_row(cls, row: SupplierRow) -> Supplier:
        return cls(
            id=strawberry.ID(ids.encode("Supplier", str(row.id))), name=row.name, slug=row.slug
        )


def _kdv(root: Price) -> Money:
    return Money.of(money.kdv_amount(root.net.amount, root.kdv_rate))


def _gross(root: Price) -> Money:
    return Money.of(root.net.amount + money.kdv_amount(root.net.amount, root.kdv_rate))


# Derived fields are COMPUTED (graph/execution.py): worked out only when a query selects them,
# as most listings show the net price alone.
@strawberry.type(description="Unit price: net DMO price, KDV (katma değer vergisi) and gross.")
class Price:
    net: Money = strawberry.field(description="Net unit price (KDV hariç).")
    kdv_rate: int = strawberry.field(description="KDV rate in percent: 0, 1, 10 or 20.")
    kdv: Money = strawberry.field(
        resolver=_kdv,
        description="KDV on one unit, rounded half-up to the kuruş.",
        metadata=COMPUTED,
    )
    gross: Money = strawberry.field(
        resolver=_gross, description="Net plus KDV (KDV dahil).", metadata=COMPUTED
    )


@strawberry.type(description="One technical specification value.")
class Specification:
    slug: str = strawberry.field(description="Stable key of the specification, for filters.")
    name: str
    kind: SpecKind
    value: str = strawberry.field(description="Display value (numbers without float noise).")
    unit: str | None
    number: float | None = strawberry.field(description="Numeric value of a NUMBER spec.")
    boolean: bool | None = strawberry.field(description="Value of a BOOLEAN spec.")


@strawberry.type(description="Average rating (1 to 5) from institutions' reviews.")
class Rating:
    average: float
    count: int


def _price(root: Product) -> Price:
    return unit_price(root.row.price_net, root.row.kdv_rate)


def _rating(root: Product) -> Rating:
    return Rating(average=round(root.row.rating_average, 2), count=root.row.rating_count)


@strawberry.type(description="A product of the DMO catalogue.")
class Product(Node):
    sku: str = strawberry.field(description="Stock keeping unit (DMO catalogue number).")
    name: str
    description: str
    unit: Unit
    unit_name: str = strawberry.field(description="Turkish name of the unit, e.g. adet.")
    price: Price = strawberry.field(resolver=_price, metadata=COMPUTED)
    stock: int
    in_stock: bool
    min_order_quantity: int
    lead_time_days: int = strawberry.field(description="Delivery lead time in days.")
    warranty_months: int
    images: list[str]
    rating: Rating = strawberry.field(resolver=_rating, metadata=COMPUTED)
    price_valid_from: date | None
    price_valid_until: date | None
    row: strawberry.Private[ProductRow]

    @strawberry.field(description="Category (CPV).")
    async def category(self, info: Info) -> Category:
        row = await info.context.loaders.category_by_id.load(self.row.category_id)
        assert row is not None
        return Category.from_row(row)

    @strawberry.field
    async def brand(self, info: Info) -> Brand | None:
        if self.row.brand_id is None:
            return None
        row = await info.context.loaders.brand_by_id.load(self.row.brand_id)
        return Brand.from_row(row) if row else None

    @strawberry.field
    async def supplier(self, info: Info) -> Supplier:
        row = await info.context.loaders.supplier_by_id.load(self.row.supplier_id)
        assert row is not None
        return Supplier.from_row(row)

    @strawberry.field(description="Typed technical specifications.")
    async def specifications(self, info: Info) -> list[Specification]:
        rows = await info.context.loaders.specifications_by_product.load(self.row.id)
        return [specification(spec) for spec in rows or ()]

    @classmethod
    def from_row(cls, row: ProductRow) -> Product:
        return cls(
            id=strawberry.ID(ids.encode("Product", row.id)),
            sku=row.sku,
            name=row.name,
            description=row.description,
            unit=row.unit,
            unit_name=UNIT_NAMES_TR[row.unit],
            stock=row.stock,
            in_stock=row.stock > 0,
            min_order_quantity=row.min_order_quantity,
            lead_time_days=row.lead_time_days,
            warranty_months=row.warranty_months,
            images=list(row.images),
            price_valid_from=row.price_valid_from,
            price_valid_until=row.price_valid_until,
            row=row,
        )


def unit_price(net: Decimal, kdv_rate: int) -> Price:
    return Price(net=Money.of(net), kdv_rate=kdv_rate)


def specification(spec: SpecRow) -> Specification:
    from services.catalogue import spec_value_text

    return Specification(
        slug=spec.slug,
        name=spec.name,
        kind=spec.kind,
        value=spec_value_text(spec),
        unit=spec.unit,
        number=spec.number,
        boolean=spec.boolean,
    )


def edge_cursor(root: ProductEdge) -> str:
    return cursors.encode(root.sort_key, root.node.row.sort_value, root.node.row.id)


@strawberry.type
class ProductEdge:
    cursor: str = strawberry.field(resolver=edge_cursor, metadata=COMPUTED)
    node: Product
    sort_key: strawberry.Private[str]


@strawberry.type(description="A facet value with the number of products in the filtered set.")
class CategoryFacet:
    count: int
    category_id: strawberry.Private[str]

    @strawberry.field
    async def category(self, info: Info) -> Category:
        row = await info.context.loaders.category_by_id.load(self.category_id)
        assert row is not None
        return Category.from_row(row)


@strawberry.type
class BrandFacet:
    count: int
    brand_id: strawberry.Private[str]

    @strawberry.field
    async def brand(self, info: Info) -> Brand:
        row = await info.context.loaders.brand_by_id.load(self.brand_id)
        assert row is not None
        return Brand.from_row(row)


@strawberry.type(description="Price range of the filtered set (ignoring the price filter).")
class PriceFacet:
    min: Money | None
    max: Money | None


@strawberry.type
class AttributeValueFacet:
    value: str = strawberry.field(description="Text value, or 'true'/'false' for booleans.")
    count: int


@strawberry.type(description="Values of one specification in the filtered set.")
class AttributeFacet:
    slug: str
    name: str
    kind: SpecKind
    unit: str | None
    count: int = strawberry.field(description="Products having this specification.")
    values: list[AttributeValueFacet] = strawberry.field(
        description="Text and boolean values with counts, most frequent first (top 20)."
    )
    min: float | None = strawberry.field(description="Smallest value of a NUMBER spec.")
    max: float | None


@strawberry.type(description="Facet counts for the filtered set; each ignores its own filter.")
class ProductFacets:
    categories: list[CategoryFacet]
    brands: list[BrandFacet]
    price: PriceFacet
    attributes: list[AttributeFacet]


@strawberry.type(description="One comparison row: a label and one value per compared product.")
class ComparisonRow:
    key: str
    label: str
    unit: str | None
    values: list[str | None] = strawberry.field(description="In the order of `products`.")


@strawberry.type(description="Side-by-side comparison of 2 to 5 products.")
class ProductComparison:
    products: list[Product]
    rows: list[ComparisonRow]


@strawberry.input(description="Inclusive decimal bounds.")
class DecimalRange:
    gte: Decimal | None = None
    lte: Decimal | None = None


@strawberry.input(description="A specification filter: give exactly one of values, range, boolean.")
class AttributeFilter:
    slug: str
    values: list[str] | None = None
    range: DecimalRange | None = None
    boolean: bool | None = None


@strawberry.input(description="Filters combine with AND; values inside one filter with OR.")
class ProductFilter:
    category_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Categories, each with all its descendants."
    )
    brand_ids: list[strawberry.ID] | None = None
    supplier_ids: list[strawberry.ID] | None = None
    price: DecimalRange | None = strawberry.field(
        default=None, description="Net unit price bounds, inclusive."
    )
    in_stock: bool | None = None
    max_lead_time_days: int | None = None
    kdv_rates: list[int] | None = None
    attributes: list[AttributeFilter] | None = None


@strawberry.input
class ProductSort:
    field: SortField = SortField.RELEVANCE
    direction: SortDirection = SortDirection.DESC


@strawberry.type(description="A page of products (Relay connection) with count and facets.")
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo
    # Loaded by the products resolver when the operation selects them (one statement for
    # both), so that these fields only read the connection.
    count: strawberry.Private[int | None] = None
    found_facets: strawberry.Private[ProductFacets | None] = None

    @strawberry.field(
        description="Products matching the search and filters (all pages).", metadata=COMPUTED
    )
    def total_count(self) -> int:
        if self.count is None:
            raise RuntimeError("the products resolver did not load the count")
        return self.count

    @strawberry.field(description="Facet counts of the filtered set.", metadata=COMPUTED)
    def facets(self) -> ProductFacets:
        if self.found_facets is None:
            raise RuntimeError("the products resolver did not load the facets")
        return self.found_facets


@strawberry.type
class CategoryEdge:
    cursor: str
    node: Category


@strawberry.type(description="A page of categories in code order.")
class CategoryConnection:
    edges: list[CategoryEdge]
    page_info: PageInfo


@strawberry.type
class BrandEdge:
    cursor: str
    node: Brand


@strawberry.type(description="A page of brands in name order.")
class BrandConnection:
    edges: list[BrandEdge]
    page_info: PageInfo
