"""Digests and alerts by e-mail: schedules, the e-mail a view becomes, alert kinds, sending, and the
"E-mail me this view" and Subscriptions widgets.

Sits between commands and ui (commands -> digests -> ui -> data -> filters -> access): it draws
its numbers through dashboard/data like the pages do, and stores in loaders/appdb."""
