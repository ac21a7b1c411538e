"""Plans, subscriptions, the payment gateway and its webhooks, retention of closed tenants (control plane)."""
