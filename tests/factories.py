"""factory-boy factories for every model; tests build their data with these."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.customers.models import (
    Contact,
    Customer,
    Note,
    NoteKind,
    NoteLink,
    Segment,
    SuggestionDecision,
    Tag,
)
from pilothouse.people.models import Person
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from pilothouse.roadmap.models import Feature, Release
from pilothouse.strategy.models import Initiative, KeyResult, Objective


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.VIEWER
    password = factory.django.Password("correct horse battery staple")


class ProductLineFactory(DjangoModelFactory):
    class Meta:
        model = ProductLine

    name = factory.Sequence(lambda n: f"Line {n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    key = factory.Sequence(lambda n: f"P{n:04d}")
    product_line = factory.SubFactory(ProductLineFactory)


class ProductAreaFactory(DjangoModelFactory):
    class Meta:
        model = ProductArea

    name = factory.Sequence(lambda n: f"Area {n}")
    product = factory.SubFactory(ProductFactory)


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    title = factory.Sequence(lambda n: f"Objective {n}")
    period = "2026-Q4"


class KeyResultFactory(DjangoModelFactory):
    class Meta:
        model = KeyResult

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    start_value = 0
    target_value = 100
    current_value = 25


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative

    title = factory.Sequence(lambda n: f"Initiative {n}")


class ReleaseFactory(DjangoModelFactory):
    class Meta:
        model = Release

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"R{n}")


class FeatureFactory(DjangoModelFactory):
    class Meta:
        model = Feature

    title = factory.Sequence(lambda n: f"Feature {n}")
    product = factory.SubFactory(ProductFactory)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")


# --- customer voice --------------------------------------------------------------------


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    arr = 0


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")


class SegmentFactory(DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    rules = factory.LazyFunction(list)


class NoteKindFactory(DjangoModelFactory):
    class Meta:
        model = NoteKind

    name = factory.Sequence(lambda n: f"Kind {n}")
    position = factory.Sequence(lambda n: 100 + n)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    text = factory.Sequence(lambda n: f"Customer feedback number {n}: exports are slow.")


class NoteLinkFactory(DjangoModelFactory):
    class Meta:
        model = NoteLink

    note = factory.SubFactory(NoteFactory)
    feature = factory.SubFactory(FeatureFactory)


class SuggestionDecisionFactory(DjangoModelFactory):
    class Meta:
        model = SuggestionDecision

    note = factory.SubFactory(NoteFactory)
    kind = "feature"
    target_id = 1
    decision = "dismissed"
