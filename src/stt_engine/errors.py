"""One error tree for the whole engine.

Every failure that a user can cause or fix is an ``SttError``. The CLI prints its message and
hint and exits with ``exit_code``; the HTTP server renders it as OpenAI's error object with
``http_status``. Anything else reaching an edge is a bug (HTTP 500, exit code 70).

::

    SttError                      500  exit 1   internal_error
    +-- ConfigError               400  exit 2   invalid_config
    +-- InvalidRequestError       400  exit 2   invalid_request_error
    |   +-- UnsupportedMediaError 415  exit 2   unsupported_media_type
    |   +-- DiarizationUnavailableError 400 exit 2 diarization_unavailable
    +-- AudioError                400  exit 3   invalid_audio
    |   +-- AudioTooLargeError    413  exit 3   audio_too_large
    +-- ModelError                500  exit 4   model_error
    |   +-- ModelNotFoundError    404  exit 4   model_not_found
    |   +-- ModelInvalidError     500  exit 4   model_invalid
    |   +-- ModelConversionError  500  exit 4   model_conversion_failed
    |   +-- ModelChecksumError    500  exit 4   model_checksum_mismatch
    |   +-- ModelExistsError      409  exit 4   model_exists
    |   +-- ModelAccessError      403  exit 4   model_access_denied
    |   +-- ModelHubUnreachableError 503 exit 4 model_hub_unreachable
    |   +-- NotWhisperModelError  400  exit 4   not_a_whisper_model
    +-- DeviceError               503  exit 5   device_unavailable
    +-- AuthError                 401  exit 6   invalid_api_key
    +-- NotFoundError             404  exit 4   not_found
    +-- BusyError                 429  exit 7   queue_full
    +-- NotReadyError             503  exit 8   not_ready
    |   +-- ShuttingDownError     503  exit 8   shutting_down
    +-- TimeoutError_             504  exit 9   timeout
    +-- CancelledError_           499  exit 10  cancelled
    +-- JobError                  400  exit 11  job_error
    |   +-- JobStateError         409  exit 11  job_state
    |   +-- StorageError          507  exit 11  insufficient_storage
    |       +-- StorageUnavailableError 503 exit 11 storage_unavailable
    +-- BundleError               400  exit 12  bundle_error
        +-- BundleIntegrityError  400  exit 13  bundle_corrupt
"""

from __future__ import annotations

MAX_MESSAGE = 1000


def quoted(value: object, limit: int = 60) -> str:
    """A client's value as a message quotes it: escaped, on one line, at most ``limit`` long."""
    text = str(value)
    cut = text[:limit].encode("unicode_escape").decode("ascii")
    return f"'{cut}...'" if len(text) > limit else f"'{cut}'"


class SttError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "internal_error"
    error_type = "server_error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.param = param

    def __str__(self) -> str:
        return self.message

    def to_openai(self) -> dict[str, dict[str, str | None]]:
        """The error as OpenAI's error object (a message of at most MAX_MESSAGE characters)."""
        message = self.message if not self.hint else f"{self.message} ({self.hint})"
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        return {
            "error": {
                "message": message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


class ConfigError(SttError):
    code = "invalid_config"
    error_type = "invalid_request_error"
    http_status = 400
    exit_code = 2


class InvalidRequestError(SttError):
    code = "invalid_request_error"
    error_type = "invalid_request_error"
    http_status = 400
    exit_code = 2


class UnsupportedMediaError(InvalidRequestError):
    code = "unsupported_media_type"
    http_status = 415


class DiarizationUnavailableError(InvalidRequestError):
    """Speakers were asked for, but the diarization extra is not installed here."""

    code = "diarization_unavailable"


class NoiseReductionUnavailableError(InvalidRequestError):
    """``noise_reduction`` was asked for, but the denoise extra is not installed here."""

    code = "noise_reduction_unavailable"


class AudioError(SttError):
    code = "invalid_audio"
    error_type = "invalid_request_error"
    http_status = 400
    exit_code = 3


class AudioTooLargeError(AudioError):
    code = "audio_too_large"
    http_status = 413


class ModelError(SttError):
    code = "model_error"
    exit_code = 4


class ModelNotFoundError(ModelError):
    code = "model_not_found"
    error_type = "invalid_request_error"
    http_status = 404


class ModelInvalidError(ModelError):
    code = "model_invalid"


class ModelConversionError(ModelError):
    code = "model_conversion_failed"


class ModelChecksumError(ModelInvalidError):
    """A downloaded file differs from the checksum its source published."""

    code = "model_checksum_mismatch"


class ModelExistsError(ModelError):
    """A model of that name is already in the models directory."""

    code = "model_exists"
    error_type = "invalid_request_error"
    http_status = 409


class ModelAccessError(ModelError):
    """The model hub refused access (a gated or private repository, a bad token)."""

    code = "model_access_denied"
    error_type = "invalid_request_error"
    http_status = 403


class ModelHubUnreachableError(ModelError):
    """The model hub could not be reached (no network, wrong endpoint, hub down)."""

    code = "model_hub_unreachable"
    http_status = 503


class NotWhisperModelError(ModelError):
    """A repository or folder holds something other than a Whisper model."""

    code = "not_a_whisper_model"
    error_type = "invalid_request_error"
    http_status = 400


class DeviceError(SttError):
    code = "device_unavailable"
    http_status = 503
    exit_code = 5


class AuthError(SttError):
    code = "invalid_api_key"
    error_type = "invalid_request_error"
    http_status = 401
    exit_code = 6


class NotFoundError(SttError):
    code = "not_found"
    error_type = "invalid_request_error"
    http_status = 404
    exit_code = 4


class BusyError(SttError):
    code = "queue_full"
    error_type = "rate_limit_error"
    http_status = 429
    exit_code = 7

    def __init__(self, message: str, *, retry_after: int = 1, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class NotReadyError(SttError):
    code = "not_ready"
    http_status = 503
    exit_code = 8


class ShuttingDownError(NotReadyError):
    """The server is stopping (SIGTERM): new requests are refused with Retry-After."""

    code = "shutting_down"


class TimeoutError_(SttError):
    code = "timeout"
    http_status = 504
    exit_code = 9


class CancelledError_(SttError):
    code = "cancelled"
    http_status = 499
    exit_code = 10


class JobError(SttError):
    code = "job_error"
    error_type = "invalid_request_error"
    http_status = 400
    exit_code = 11


class JobStateError(JobError):
    """The job is not in a state that allows this (its result is not ready, it has ended)."""

    code = "job_state"
    http_status = 409


class StorageError(JobError):
    """The data directory cannot hold what a job needs (disk full, not writable)."""

    code = "insufficient_storage"
    error_type = "server_error"
    http_status = 507


class StorageUnavailableError(StorageError):
    """A folder the server writes to fails for another reason than space (read-only, I/O)."""

    code = "storage_unavailable"
    http_status = 503


class BundleError(SttError):
    code = "bundle_error"
    error_type = "invalid_request_error"
    http_status = 400
    exit_code = 12


class BundleIntegrityError(BundleError):
    code = "bundle_corrupt"
    exit_code = 13
