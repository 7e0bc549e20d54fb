"""State changes of a person's own profile."""


def update_profile(*, user, first_name: str, last_name: str, mobile: str, time_zone: str):
    user.first_name = first_name
    user.last_name = last_name
    user.mobile = mobile
    user.time_zone = time_zone
    user.save(update_fields=["first_name", "last_name", "mobile", "time_zone"])
    return user
