"""The base of records that are private to a person (core.permissions.can_view_private):
visible only to the person, their management chain, product leaders and admins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pilothouse.core.models import VersionedModel
from pilothouse.people.models.person import chain_user_ids

if TYPE_CHECKING:
    from pilothouse.people.models.person import Person


class PrivateRecord(VersionedModel):
    # Marks the model's records as private: change feeds leave them out for those who are
    # not portfolio-wide (an object's own history is shown on its page, which checks).
    PRIVATE_RECORDS = True
    # Whether the subject may change the record too (their growth plan's goals and
    # check-ins), or only their managers (an assessment). Creating a top-level record
    # (an assessment, a growth plan, a one-to-one) is for the subject's managers, as it
    # hangs under the subject's Person, which their managers steward.
    SUBJECT_EDITS = False

    class Meta:
        abstract = True

    def subject(self) -> Person:
        """The person whose private data this record is."""
        raise NotImplementedError

    def subject_ids(self) -> set[int]:
        """Every person the record is private to (a one-to-one has two)."""
        return {self.subject().pk}

    def private_viewer_ids(self) -> set[int]:
        return chain_user_ids(person_ids=self.subject_ids(), include_people=True)

    def steward_ids(self) -> set[int]:
        return chain_user_ids(person_ids=self.subject_ids(), include_people=self.SUBJECT_EDITS)

    def permission_parent(self) -> VersionedModel | None:
        return self.subject()
