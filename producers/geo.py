"""Places and distances. Customers live in Australia; fraud travels overseas, far from home."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float


# (city, population weight): customers live where people live.
HOME_CITIES: tuple[tuple[City, int], ...] = (
    (City("Sydney", "AU", -33.8688, 151.2093), 53),
    (City("Melbourne", "AU", -37.8136, 144.9631), 50),
    (City("Brisbane", "AU", -27.4698, 153.0251), 26),
    (City("Perth", "AU", -31.9523, 115.8613), 22),
    (City("Adelaide", "AU", -34.9285, 138.6007), 14),
    (City("Gold Coast", "AU", -28.0167, 153.4000), 7),
    (City("Newcastle", "AU", -32.9283, 151.7817), 5),
    (City("Canberra", "AU", -35.2809, 149.1300), 5),
    (City("Hobart", "AU", -42.8821, 147.3272), 3),
    (City("Darwin", "AU", -12.4634, 130.8456), 2),
)

# Every one of these is more than 3,000 km from every home city.
OVERSEAS_CITIES: tuple[City, ...] = (
    City("London", "GB", 51.5074, -0.1278),
    City("Singapore", "SG", 1.3521, 103.8198),
    City("Los Angeles", "US", 34.0522, -118.2437),
    City("Lagos", "NG", 6.5244, 3.3792),
    City("Bucharest", "RO", 44.4268, 26.1025),
    City("Hong Kong", "HK", 22.3193, 114.1694),
    City("Dubai", "AE", 25.2048, 55.2708),
    City("Sao Paulo", "BR", -23.5505, -46.6333),
)

# Normal activity stays within this many degrees of home on each axis: two such places are
# under 50 km apart.
LOCAL_JITTER_DEGREES = 0.15


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def near(
    rng: random.Random, latitude: float, longitude: float, degrees: float
) -> tuple[float, float]:
    """A point within `degrees` of a place on each axis, rounded to about 10 m."""
    return (
        round(latitude + rng.uniform(-degrees, degrees), 4),
        round(longitude + rng.uniform(-degrees, degrees), 4),
    )


def destination(
    latitude: float, longitude: float, km: float, bearing_deg: float
) -> tuple[float, float]:
    """The point `km` along a great circle from a place at `bearing_deg`, rounded to about 10 m."""
    phi1, lambda1 = math.radians(latitude), math.radians(longitude)
    delta, theta = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    longitude2 = (math.degrees(lambda2) + 540.0) % 360.0 - 180.0
    return round(math.degrees(phi2), 4), round(longitude2, 4)


def nearest_home_city(latitude: float, longitude: float) -> City:
    return min(
        (city for city, _ in HOME_CITIES),
        key=lambda city: haversine_km(latitude, longitude, city.latitude, city.longitude),
    )
