"""The user (global_id as USERNAME_FIELD, as mitol-django-apigateway asks)
and its profile, the same columns as gwauth's users and user_profiles."""
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager):
    pass


class User(AbstractBaseUser):
    global_id = models.CharField(max_length=255, unique=True)
    username = models.CharField(max_length=150, default="", blank=True)
    email = models.CharField(max_length=254, default="", blank=True)
    first_name = models.CharField(max_length=150, default="", blank=True)
    last_name = models.CharField(max_length=150, default="", blank=True)
    name = models.CharField(max_length=255, default="", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    USERNAME_FIELD = "global_id"
    objects = UserManager()


class UserProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    country_code = models.CharField(max_length=2, default="", blank=True)
    email_optin = models.BooleanField(default=False)
