"""account_settings keeps no models: notification preferences are memberships'."""
