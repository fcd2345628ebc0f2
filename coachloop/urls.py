from django.contrib import admin
from django.urls import include, path

from coachloop.access import views as access_views
from coachloop.accounts import views as account_views
from coachloop.api.api import api
from coachloop.dashboard import views as dashboard_views
from coachloop.organisations import views as org_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("healthz", dashboard_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens/", account_views.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("people/", org_views.person_list, name="person_list"),
    path("people/new/", org_views.person_create, name="person_create"),
    path("people/<int:pk>/", org_views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", org_views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", org_views.membership_add, name="membership_add"),
    path("roles/<int:pk>/end/", org_views.membership_end, name="membership_end"),
    path("organisations/", org_views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", org_views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", org_views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/new/", org_views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/import/", org_views.roster_import, name="roster_import"),
    path("", include("coachloop.engagements.urls")),
    path("", include("coachloop.engagements.programme_urls")),
    path("", include("coachloop.meetings.urls")),
    path("", include("coachloop.actionsteps.urls")),
    path("", include("coachloop.actionsteps.caseload_urls")),
    path("", include("coachloop.observations.urls")),
    path("", include("coachloop.plans.urls")),
    path("", include("coachloop.rubrics.urls")),
    path("", include("coachloop.portfolios.urls")),
    path("", include("coachloop.feedback.urls")),
    path("", include("coachloop.playbooks.urls")),
    path("", include("coachloop.meetings.calendar_urls")),
    path("", include("coachloop.cadence.urls")),
    path("", include("coachloop.notifications.urls")),
    path("", include("coachloop.peer.urls")),
    path("", include("coachloop.surveys.instrument_urls")),
    path("", include("coachloop.surveys.urls")),
    path("", include("coachloop.surveys.report_urls")),
    path("", include("coachloop.improvement.urls")),
    path("", include("coachloop.messaging.urls")),
    path("", include("coachloop.messaging.calendar_urls")),
    path("", include("coachloop.coaches.urls")),
    path("", include("coachloop.coaches.profile_urls")),
    path("", include("coachloop.coaches.feedback_urls")),
    path("audit/", access_views.audit_list, name="audit_list"),
    path("api/", api.urls),
    path("operator/", admin.site.urls),
]

handler403 = "coachloop.dashboard.views.error_403"
handler404 = "coachloop.dashboard.views.error_404"
handler500 = "coachloop.dashboard.views.error_500"
