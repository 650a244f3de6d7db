"""A role's permissions as the roles page shows them: words, never the matrix's regular expressions."""
from app.security.readable import _names, permission_lines


def test_a_group_inside_a_pattern_names_each_permission():
    assert _names("can_this_form_(get|post)") == ["can_this_form_get", "can_this_form_post"]
    assert _names("^(can_read|menu_access)$") == ["can_read", "menu_access"]
    assert _names(".*") == ["*"]


def test_self_service_pages_read_as_a_person_says_them():
    lines = permission_lines([("ResetMyPasswordView", "can_this_form_(get|post)"),
                              ("UserInfoEditView", "can_this_form_(get|post)"),
                              ("Order", "can_deliver|can_read")])
    assert sorted(lines) == ["Change my password: open the form, save the form",
                             "My profile: open the form, save the form",
                             "Order: deliver, read"]
    assert not any("^" in line or "(" in line or "View" in line for line in lines)
