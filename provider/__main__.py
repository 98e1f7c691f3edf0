"""The `chalk` component provider. All logic lives in chalk_policy.components.provider."""

from chalk_policy.components.provider import serve

if __name__ == "__main__":
    serve()
