"""Voice TwiML: :class:`VoiceResponse` and every verb and noun it can hold.

The vocabulary (class names, builder method names, positional arguments and keyword
names) is that of twilio-python 9.x, so code written for ``twilio.twiml.voice_response``
runs unchanged. Builder methods shared by several elements (``say``, ``play``,
``parameter``...) live in small ``_XBuilder`` mixins. Each builder renders its
element's opening tag once, when called; see :mod:`twhooks.twiml._base`.
"""

from __future__ import annotations

from typing import Any

from ._base import (
    AttrValue,
    TextValue,
    TwiML,
    _new,
    _Unrepresentable,
    extra_attrs,
    invalid,
    quote_attr,
    quote_text,
)
from .ssml import (
    SsmlBreak,
    SsmlEmphasis,
    SsmlLang,
    SsmlP,
    SsmlPhoneme,
    SsmlProsody,
    SsmlS,
    SsmlSayAs,
    SsmlSub,
    SsmlW,
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SayAsBuilder,
    _SBuilder,
    _SubBuilder,
    _WBuilder,
)

__all__ = [
    "AiSession",
    "Application",
    "ApplicationSid",
    "Autopilot",
    "Client",
    "Conference",
    "Config",
    "Connect",
    "Conversation",
    "ConversationRelay",
    "ConversationRelaySession",
    "Dial",
    "Echo",
    "Enqueue",
    "Gather",
    "Hangup",
    "Header",
    "Headers",
    "Identity",
    "Language",
    "Leave",
    "Number",
    "Parameter",
    "Pause",
    "Pay",
    "Play",
    "Prompt",
    "Queue",
    "Record",
    "Recording",
    "Redirect",
    "Refer",
    "ReferSip",
    "Reject",
    "Room",
    "Say",
    "Sim",
    "Sip",
    "SipUri",
    "Siprec",
    "Sms",
    "SsmlBreak",
    "SsmlEmphasis",
    "SsmlLang",
    "SsmlP",
    "SsmlPhoneme",
    "SsmlProsody",
    "SsmlS",
    "SsmlSayAs",
    "SsmlSub",
    "SsmlW",
    "Start",
    "Stop",
    "Stream",
    "Task",
    "Transcription",
    "VirtualAgent",
    "VoiceResponse",
    "WhatsApp",
]


class _PauseBuilder(TwiML):
    """Builds ``<Pause>`` children."""

    __slots__ = ()

    def pause(
        self,
        length: AttrValue = None,
        **kwargs: Any,
    ) -> Pause:
        """Add a ``<Pause>`` child and return it.

        :param length: Length in seconds to pause
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Pause"
            if length is not None:
                head += ' length="' + quote_attr(length) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Pause", None, {"length": length}, kwargs) from None
        node = _new(Pause)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _PlayBuilder(TwiML):
    """Builds ``<Play>`` children."""

    __slots__ = ()

    def play(
        self,
        url: TextValue = None,
        loop: AttrValue = None,
        digits: AttrValue = None,
        **kwargs: Any,
    ) -> Play:
        """Add a ``<Play>`` child and return it.

        :param url: Media URL
        :param loop: Times to loop media
        :param digits: Play DTMF tones for digits
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Play"
            if loop is not None:
                head += ' loop="' + quote_attr(loop) + '"'
            if digits is not None:
                head += ' digits="' + quote_attr(digits) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if url is None else [quote_text(url)]
        except _Unrepresentable:
            raise invalid("Play", url, {"loop": loop, "digits": digits}, kwargs) from None
        node = _new(Play)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _QueueBuilder(TwiML):
    """Builds ``<Queue>`` children."""

    __slots__ = ()

    def queue(
        self,
        name: TextValue,
        url: AttrValue = None,
        method: AttrValue = None,
        reservation_sid: AttrValue = None,
        post_work_activity_sid: AttrValue = None,
        **kwargs: Any,
    ) -> Queue:
        """Add a ``<Queue>`` child and return it.

        :param name: Queue name
        :param url: Action URL
        :param method: Action URL method
        :param reservation_sid: TaskRouter Reservation SID
        :param post_work_activity_sid: TaskRouter Activity SID
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Queue"
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if reservation_sid is not None:
                head += ' reservationSid="' + quote_attr(reservation_sid) + '"'
            if post_work_activity_sid is not None:
                head += ' postWorkActivitySid="' + quote_attr(post_work_activity_sid) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if name is None else [quote_text(name)]
        except _Unrepresentable:
            raise invalid(
                "Queue",
                name,
                {
                    "url": url,
                    "method": method,
                    "reservationSid": reservation_sid,
                    "postWorkActivitySid": post_work_activity_sid,
                },
                kwargs,
            ) from None
        node = _new(Queue)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _RedirectBuilder(TwiML):
    """Builds ``<Redirect>`` children."""

    __slots__ = ()

    def redirect(
        self,
        url: TextValue,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Redirect:
        """Add a ``<Redirect>`` child and return it.

        :param url: Redirect URL
        :param method: Redirect URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Redirect"
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if url is None else [quote_text(url)]
        except _Unrepresentable:
            raise invalid("Redirect", url, {"method": method}, kwargs) from None
        node = _new(Redirect)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _SayBuilder(TwiML):
    """Builds ``<Say>`` children."""

    __slots__ = ()

    def say(
        self,
        message: TextValue = None,
        voice: AttrValue = None,
        loop: AttrValue = None,
        language: AttrValue = None,
        **kwargs: Any,
    ) -> Say:
        """Add a ``<Say>`` child and return it.

        :param message: Message to say
        :param voice: Voice to use
        :param loop: Times to loop message
        :param language: Message language
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Say"
            if voice is not None:
                head += ' voice="' + quote_attr(voice) + '"'
            if loop is not None:
                head += ' loop="' + quote_attr(loop) + '"'
            if language is not None:
                head += ' language="' + quote_attr(language) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if message is None else [quote_text(message)]
        except _Unrepresentable:
            raise invalid(
                "Say", message, {"voice": voice, "loop": loop, "language": language}, kwargs
            ) from None
        node = _new(Say)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _PromptBuilder(TwiML):
    """Builds ``<Prompt>`` children."""

    __slots__ = ()

    def prompt(
        self,
        for_: AttrValue = None,
        error_type: AttrValue = None,
        card_type: AttrValue = None,
        attempt: AttrValue = None,
        require_matching_inputs: AttrValue = None,
        **kwargs: Any,
    ) -> Prompt:
        """Add a ``<Prompt>`` child and return it.

        :param for_: Name of the payment source data element
        :param error_type: Type of error
        :param card_type: Type of the credit card
        :param attempt: Current attempt count
        :param require_matching_inputs: Require customer to input requested information twice and
            verify matching.
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Prompt"
            if for_ is not None:
                head += ' for="' + quote_attr(for_) + '"'
            if error_type is not None:
                head += ' errorType="' + quote_attr(error_type) + '"'
            if card_type is not None:
                head += ' cardType="' + quote_attr(card_type) + '"'
            if attempt is not None:
                head += ' attempt="' + quote_attr(attempt) + '"'
            if require_matching_inputs is not None:
                head += ' requireMatchingInputs="' + quote_attr(require_matching_inputs) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Prompt",
                None,
                {
                    "for": for_,
                    "errorType": error_type,
                    "cardType": card_type,
                    "attempt": attempt,
                    "requireMatchingInputs": require_matching_inputs,
                },
                kwargs,
            ) from None
        node = _new(Prompt)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _StreamBuilder(TwiML):
    """Builds ``<Stream>`` children."""

    __slots__ = ()

    def stream(
        self,
        name: AttrValue = None,
        connector_name: AttrValue = None,
        url: AttrValue = None,
        track: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        audio_format: AttrValue = None,
        sample_rate: AttrValue = None,
        **kwargs: Any,
    ) -> Stream:
        """Add a ``<Stream>`` child and return it.

        :param name: Friendly name given to the Stream
        :param connector_name: Unique name for Stream Connector
        :param url: URL of the remote service where the Stream is routed
        :param track: Track to be streamed to remote service
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL method
        :param audio_format: Required Audio Format
        :param sample_rate: Sample Rate for HD Codec
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Stream"
            if name is not None:
                head += ' name="' + quote_attr(name) + '"'
            if connector_name is not None:
                head += ' connectorName="' + quote_attr(connector_name) + '"'
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if track is not None:
                head += ' track="' + quote_attr(track) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if audio_format is not None:
                head += ' audioFormat="' + quote_attr(audio_format) + '"'
            if sample_rate is not None:
                head += ' sampleRate="' + quote_attr(sample_rate) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Stream",
                None,
                {
                    "name": name,
                    "connectorName": connector_name,
                    "url": url,
                    "track": track,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "audioFormat": audio_format,
                    "sampleRate": sample_rate,
                },
                kwargs,
            ) from None
        node = _new(Stream)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _SiprecBuilder(TwiML):
    """Builds ``<Siprec>`` children."""

    __slots__ = ()

    def siprec(
        self,
        name: AttrValue = None,
        connector_name: AttrValue = None,
        track: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> Siprec:
        """Add a ``<Siprec>`` child and return it.

        :param name: Friendly name given to SIPREC
        :param connector_name: Unique name for Connector
        :param track: Track to be streamed to remote service
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Siprec"
            if name is not None:
                head += ' name="' + quote_attr(name) + '"'
            if connector_name is not None:
                head += ' connectorName="' + quote_attr(connector_name) + '"'
            if track is not None:
                head += ' track="' + quote_attr(track) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Siprec",
                None,
                {
                    "name": name,
                    "connectorName": connector_name,
                    "track": track,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(Siprec)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _TranscriptionBuilder(TwiML):
    """Builds ``<Transcription>`` children."""

    __slots__ = ()

    def transcription(
        self,
        name: AttrValue = None,
        track: AttrValue = None,
        status_callback_url: AttrValue = None,
        status_callback_method: AttrValue = None,
        inbound_track_label: AttrValue = None,
        outbound_track_label: AttrValue = None,
        partial_results: AttrValue = None,
        language_code: AttrValue = None,
        transcription_engine: AttrValue = None,
        profanity_filter: AttrValue = None,
        speech_model: AttrValue = None,
        hints: AttrValue = None,
        enable_automatic_punctuation: AttrValue = None,
        intelligence_service: AttrValue = None,
        **kwargs: Any,
    ) -> Transcription:
        """Add a ``<Transcription>`` child and return it.

        :param name: Friendly name given to the Transcription
        :param track: Track to be analyze by the provider
        :param status_callback_url: Status Callback URL
        :param status_callback_method: Status Callback URL method
        :param inbound_track_label: Friendly name given to the Inbound Track
        :param outbound_track_label: Friendly name given to the Outbound Track Label
        :param partial_results: Indicates if partial results are going to be send to the customer
        :param language_code: Language Code used by the transcription engine
        :param transcription_engine: Transcription Engine to be used
        :param profanity_filter: Enable Profanity Filter
        :param speech_model: Speech Model used by the transcription engine
        :param hints: Hints to be provided to the transcription engine
        :param enable_automatic_punctuation: Enable Automatic Punctuation
        :param intelligence_service: The SID or the unique name of the Intelligence Service to be
            used
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Transcription"
            if name is not None:
                head += ' name="' + quote_attr(name) + '"'
            if track is not None:
                head += ' track="' + quote_attr(track) + '"'
            if status_callback_url is not None:
                head += ' statusCallbackUrl="' + quote_attr(status_callback_url) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if inbound_track_label is not None:
                head += ' inboundTrackLabel="' + quote_attr(inbound_track_label) + '"'
            if outbound_track_label is not None:
                head += ' outboundTrackLabel="' + quote_attr(outbound_track_label) + '"'
            if partial_results is not None:
                head += ' partialResults="' + quote_attr(partial_results) + '"'
            if language_code is not None:
                head += ' languageCode="' + quote_attr(language_code) + '"'
            if transcription_engine is not None:
                head += ' transcriptionEngine="' + quote_attr(transcription_engine) + '"'
            if profanity_filter is not None:
                head += ' profanityFilter="' + quote_attr(profanity_filter) + '"'
            if speech_model is not None:
                head += ' speechModel="' + quote_attr(speech_model) + '"'
            if hints is not None:
                head += ' hints="' + quote_attr(hints, ", ") + '"'
            if enable_automatic_punctuation is not None:
                head += (
                    ' enableAutomaticPunctuation="' + quote_attr(enable_automatic_punctuation) + '"'
                )
            if intelligence_service is not None:
                head += ' intelligenceService="' + quote_attr(intelligence_service) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Transcription",
                None,
                {
                    "name": name,
                    "track": track,
                    "statusCallbackUrl": status_callback_url,
                    "statusCallbackMethod": status_callback_method,
                    "inboundTrackLabel": inbound_track_label,
                    "outboundTrackLabel": outbound_track_label,
                    "partialResults": partial_results,
                    "languageCode": language_code,
                    "transcriptionEngine": transcription_engine,
                    "profanityFilter": profanity_filter,
                    "speechModel": speech_model,
                    "hints": hints,
                    "enableAutomaticPunctuation": enable_automatic_punctuation,
                    "intelligenceService": intelligence_service,
                },
                kwargs,
            ) from None
        node = _new(Transcription)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _ConfigBuilder(TwiML):
    """Builds ``<Config>`` children."""

    __slots__ = ()

    def config(
        self,
        name: AttrValue = None,
        value: AttrValue = None,
        **kwargs: Any,
    ) -> Config:
        """Add a ``<Config>`` child and return it.

        :param name: The name of the custom config
        :param value: The value of the custom config
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Config"
            if name is not None:
                head += ' name="' + quote_attr(name) + '"'
            if value is not None:
                head += ' value="' + quote_attr(value) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Config", None, {"name": name, "value": value}, kwargs) from None
        node = _new(Config)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _ParameterBuilder(TwiML):
    """Builds ``<Parameter>`` children."""

    __slots__ = ()

    def parameter(
        self,
        name: AttrValue = None,
        value: AttrValue = None,
        **kwargs: Any,
    ) -> Parameter:
        """Add a ``<Parameter>`` child and return it.

        :param name: The name of the custom parameter
        :param value: The value of the custom parameter
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Parameter"
            if name is not None:
                head += ' name="' + quote_attr(name) + '"'
            if value is not None:
                head += ' value="' + quote_attr(value) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Parameter", None, {"name": name, "value": value}, kwargs) from None
        node = _new(Parameter)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class VoiceResponse(
    _PauseBuilder, _PlayBuilder, _QueueBuilder, _RedirectBuilder, _SayBuilder, _PromptBuilder, TwiML
):
    """A ``<Response>`` for Voice: the root of a Voice TwiML document. It holds ``<Connect>``,
    ``<Dial>``, ``<Echo>``, ``<Enqueue>``, ``<Gather>``, ``<Hangup>``, ``<Leave>``, ``<Pause>``,
    ``<Play>``, ``<Queue>``, ``<Record>``, ``<Redirect>``, ``<Reject>``, ``<Say>``, ``<Sms>``,
    ``<Pay>``, ``<Prompt>``, ``<Start>``, ``<Stop>``, ``<Refer>``.
    """

    __slots__ = ()
    _tag = "Response"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Response"
            self._content = []

    def connect(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Connect:
        """Add a ``<Connect>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Connect"
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Connect", None, {"action": action, "method": method}, kwargs) from None
        node = _new(Connect)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def dial(
        self,
        number: TextValue = None,
        action: AttrValue = None,
        method: AttrValue = None,
        timeout: AttrValue = None,
        hangup_on_star: AttrValue = None,
        time_limit: AttrValue = None,
        caller_id: AttrValue = None,
        record: AttrValue = None,
        trim: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        answer_on_bridge: AttrValue = None,
        ring_tone: AttrValue = None,
        recording_track: AttrValue = None,
        sequential: AttrValue = None,
        refer_url: AttrValue = None,
        refer_method: AttrValue = None,
        events: AttrValue = None,
        passports: AttrValue = None,
        **kwargs: Any,
    ) -> Dial:
        """Add a ``<Dial>`` child and return it.

        :param number: Phone number to dial
        :param action: Action URL
        :param method: Action URL method
        :param timeout: Time to wait for answer
        :param hangup_on_star: Hangup call on star press
        :param time_limit: Max time length
        :param caller_id: Caller ID to display
        :param record: Record the call
        :param trim: Trim the recording
        :param recording_status_callback: Recording status callback URL
        :param recording_configuration_id: Configuration for the recording
        :param recording_status_callback_method: Recording status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param answer_on_bridge: Preserve the ringing behavior of the inbound call until the Dialed
            call picks up
        :param ring_tone: Ringtone allows you to override the ringback tone that Twilio will play
            back to the caller while executing the Dial
        :param recording_track: To indicate which audio track should be recorded
        :param sequential: Used to determine if child TwiML nouns should be dialed in order, one
            after the other (sequential) or dial all at once (parallel). Default is false, parallel
        :param refer_url: Webhook that will receive future SIP REFER requests
        :param refer_method: The HTTP method to use for the refer Webhook
        :param events: Subscription to events
        :param passports: Base64-encoded comma-separated identity passports (e.g. shaken, div)
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Dial"
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if timeout is not None:
                head += ' timeout="' + quote_attr(timeout) + '"'
            if hangup_on_star is not None:
                head += ' hangupOnStar="' + quote_attr(hangup_on_star) + '"'
            if time_limit is not None:
                head += ' timeLimit="' + quote_attr(time_limit) + '"'
            if caller_id is not None:
                head += ' callerId="' + quote_attr(caller_id) + '"'
            if record is not None:
                head += ' record="' + quote_attr(record) + '"'
            if trim is not None:
                head += ' trim="' + quote_attr(trim) + '"'
            if recording_status_callback is not None:
                head += ' recordingStatusCallback="' + quote_attr(recording_status_callback) + '"'
            if recording_configuration_id is not None:
                head += ' recordingConfigurationId="' + quote_attr(recording_configuration_id) + '"'
            if recording_status_callback_method is not None:
                head += (
                    ' recordingStatusCallbackMethod="'
                    + quote_attr(recording_status_callback_method)
                    + '"'
                )
            if recording_status_callback_event is not None:
                head += (
                    ' recordingStatusCallbackEvent="'
                    + quote_attr(recording_status_callback_event)
                    + '"'
                )
            if answer_on_bridge is not None:
                head += ' answerOnBridge="' + quote_attr(answer_on_bridge) + '"'
            if ring_tone is not None:
                head += ' ringTone="' + quote_attr(ring_tone) + '"'
            if recording_track is not None:
                head += ' recordingTrack="' + quote_attr(recording_track) + '"'
            if sequential is not None:
                head += ' sequential="' + quote_attr(sequential) + '"'
            if refer_url is not None:
                head += ' referUrl="' + quote_attr(refer_url) + '"'
            if refer_method is not None:
                head += ' referMethod="' + quote_attr(refer_method) + '"'
            if events is not None:
                head += ' events="' + quote_attr(events) + '"'
            if passports is not None:
                head += ' passports="' + quote_attr(passports) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if number is None else [quote_text(number)]
        except _Unrepresentable:
            raise invalid(
                "Dial",
                number,
                {
                    "action": action,
                    "method": method,
                    "timeout": timeout,
                    "hangupOnStar": hangup_on_star,
                    "timeLimit": time_limit,
                    "callerId": caller_id,
                    "record": record,
                    "trim": trim,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingConfigurationId": recording_configuration_id,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "answerOnBridge": answer_on_bridge,
                    "ringTone": ring_tone,
                    "recordingTrack": recording_track,
                    "sequential": sequential,
                    "referUrl": refer_url,
                    "referMethod": refer_method,
                    "events": events,
                    "passports": passports,
                },
                kwargs,
            ) from None
        node = _new(Dial)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def echo(
        self,
        **kwargs: Any,
    ) -> Echo:
        """Add a ``<Echo>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Echo"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Echo", None, {}, kwargs) from None
        node = _new(Echo)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def enqueue(
        self,
        name: TextValue = None,
        action: AttrValue = None,
        max_queue_size: AttrValue = None,
        method: AttrValue = None,
        wait_url: AttrValue = None,
        wait_url_method: AttrValue = None,
        workflow_sid: AttrValue = None,
        **kwargs: Any,
    ) -> Enqueue:
        """Add a ``<Enqueue>`` child and return it.

        :param name: Friendly name
        :param action: Action URL
        :param max_queue_size: Maximum size of queue
        :param method: Action URL method
        :param wait_url: Wait URL
        :param wait_url_method: Wait URL method
        :param workflow_sid: TaskRouter Workflow SID
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Enqueue"
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if max_queue_size is not None:
                head += ' maxQueueSize="' + quote_attr(max_queue_size) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if wait_url is not None:
                head += ' waitUrl="' + quote_attr(wait_url) + '"'
            if wait_url_method is not None:
                head += ' waitUrlMethod="' + quote_attr(wait_url_method) + '"'
            if workflow_sid is not None:
                head += ' workflowSid="' + quote_attr(workflow_sid) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if name is None else [quote_text(name)]
        except _Unrepresentable:
            raise invalid(
                "Enqueue",
                name,
                {
                    "action": action,
                    "maxQueueSize": max_queue_size,
                    "method": method,
                    "waitUrl": wait_url,
                    "waitUrlMethod": wait_url_method,
                    "workflowSid": workflow_sid,
                },
                kwargs,
            ) from None
        node = _new(Enqueue)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def gather(
        self,
        input: AttrValue = None,
        action: AttrValue = None,
        method: AttrValue = None,
        timeout: AttrValue = None,
        speech_timeout: AttrValue = None,
        max_speech_time: AttrValue = None,
        profanity_filter: AttrValue = None,
        finish_on_key: AttrValue = None,
        num_digits: AttrValue = None,
        partial_result_callback: AttrValue = None,
        partial_result_callback_method: AttrValue = None,
        language: AttrValue = None,
        hints: AttrValue = None,
        barge_in: AttrValue = None,
        debug: AttrValue = None,
        action_on_empty_result: AttrValue = None,
        speech_model: AttrValue = None,
        enhanced: AttrValue = None,
        **kwargs: Any,
    ) -> Gather:
        """Add a ``<Gather>`` child and return it.

        :param input: Input type Twilio should accept
        :param action: Action URL
        :param method: Action URL method
        :param timeout: Time to wait to gather input
        :param speech_timeout: Time to wait to gather speech input and it should be either auto or a
            positive integer.
        :param max_speech_time: Max allowed time for speech input
        :param profanity_filter: Profanity Filter on speech
        :param finish_on_key: Finish gather on key
        :param num_digits: Number of digits to collect
        :param partial_result_callback: Partial result callback URL
        :param partial_result_callback_method: Partial result callback URL method
        :param language: Language to use
        :param hints: Speech recognition hints
        :param barge_in: Stop playing media upon speech
        :param debug: Allow debug for gather
        :param action_on_empty_result: Force webhook to the action URL event if there is no input
        :param speech_model: Specify the model that is best suited for your use case
        :param enhanced: Use enhanced speech model
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Gather"
            if input is not None:
                head += ' input="' + quote_attr(input) + '"'
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if timeout is not None:
                head += ' timeout="' + quote_attr(timeout) + '"'
            if speech_timeout is not None:
                head += ' speechTimeout="' + quote_attr(speech_timeout) + '"'
            if max_speech_time is not None:
                head += ' maxSpeechTime="' + quote_attr(max_speech_time) + '"'
            if profanity_filter is not None:
                head += ' profanityFilter="' + quote_attr(profanity_filter) + '"'
            if finish_on_key is not None:
                head += ' finishOnKey="' + quote_attr(finish_on_key) + '"'
            if num_digits is not None:
                head += ' numDigits="' + quote_attr(num_digits) + '"'
            if partial_result_callback is not None:
                head += ' partialResultCallback="' + quote_attr(partial_result_callback) + '"'
            if partial_result_callback_method is not None:
                head += (
                    ' partialResultCallbackMethod="'
                    + quote_attr(partial_result_callback_method)
                    + '"'
                )
            if language is not None:
                head += ' language="' + quote_attr(language) + '"'
            if hints is not None:
                head += ' hints="' + quote_attr(hints, ", ") + '"'
            if barge_in is not None:
                head += ' bargeIn="' + quote_attr(barge_in) + '"'
            if debug is not None:
                head += ' debug="' + quote_attr(debug) + '"'
            if action_on_empty_result is not None:
                head += ' actionOnEmptyResult="' + quote_attr(action_on_empty_result) + '"'
            if speech_model is not None:
                head += ' speechModel="' + quote_attr(speech_model) + '"'
            if enhanced is not None:
                head += ' enhanced="' + quote_attr(enhanced) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Gather",
                None,
                {
                    "input": input,
                    "action": action,
                    "method": method,
                    "timeout": timeout,
                    "speechTimeout": speech_timeout,
                    "maxSpeechTime": max_speech_time,
                    "profanityFilter": profanity_filter,
                    "finishOnKey": finish_on_key,
                    "numDigits": num_digits,
                    "partialResultCallback": partial_result_callback,
                    "partialResultCallbackMethod": partial_result_callback_method,
                    "language": language,
                    "hints": hints,
                    "bargeIn": barge_in,
                    "debug": debug,
                    "actionOnEmptyResult": action_on_empty_result,
                    "speechModel": speech_model,
                    "enhanced": enhanced,
                },
                kwargs,
            ) from None
        node = _new(Gather)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def hangup(
        self,
        **kwargs: Any,
    ) -> Hangup:
        """Add a ``<Hangup>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Hangup"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Hangup", None, {}, kwargs) from None
        node = _new(Hangup)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def leave(
        self,
        **kwargs: Any,
    ) -> Leave:
        """Add a ``<Leave>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Leave"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Leave", None, {}, kwargs) from None
        node = _new(Leave)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def record(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        timeout: AttrValue = None,
        finish_on_key: AttrValue = None,
        max_length: AttrValue = None,
        play_beep: AttrValue = None,
        trim: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        transcribe: AttrValue = None,
        transcribe_callback: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        **kwargs: Any,
    ) -> Record:
        """Add a ``<Record>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param timeout: Timeout to begin recording
        :param finish_on_key: Finish recording on key
        :param max_length: Max time to record in seconds
        :param play_beep: Play beep
        :param trim: Trim the recording
        :param recording_status_callback: Status callback URL
        :param recording_status_callback_method: Status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param transcribe: Transcribe the recording
        :param transcribe_callback: Transcribe callback URL
        :param recording_configuration_id: Configuration for the recording
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Record"
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if timeout is not None:
                head += ' timeout="' + quote_attr(timeout) + '"'
            if finish_on_key is not None:
                head += ' finishOnKey="' + quote_attr(finish_on_key) + '"'
            if max_length is not None:
                head += ' maxLength="' + quote_attr(max_length) + '"'
            if play_beep is not None:
                head += ' playBeep="' + quote_attr(play_beep) + '"'
            if trim is not None:
                head += ' trim="' + quote_attr(trim) + '"'
            if recording_status_callback is not None:
                head += ' recordingStatusCallback="' + quote_attr(recording_status_callback) + '"'
            if recording_status_callback_method is not None:
                head += (
                    ' recordingStatusCallbackMethod="'
                    + quote_attr(recording_status_callback_method)
                    + '"'
                )
            if recording_status_callback_event is not None:
                head += (
                    ' recordingStatusCallbackEvent="'
                    + quote_attr(recording_status_callback_event)
                    + '"'
                )
            if transcribe is not None:
                head += ' transcribe="' + quote_attr(transcribe) + '"'
            if transcribe_callback is not None:
                head += ' transcribeCallback="' + quote_attr(transcribe_callback) + '"'
            if recording_configuration_id is not None:
                head += ' recordingConfigurationId="' + quote_attr(recording_configuration_id) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Record",
                None,
                {
                    "action": action,
                    "method": method,
                    "timeout": timeout,
                    "finishOnKey": finish_on_key,
                    "maxLength": max_length,
                    "playBeep": play_beep,
                    "trim": trim,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "transcribe": transcribe,
                    "transcribeCallback": transcribe_callback,
                    "recordingConfigurationId": recording_configuration_id,
                },
                kwargs,
            ) from None
        node = _new(Record)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def reject(
        self,
        reason: AttrValue = None,
        **kwargs: Any,
    ) -> Reject:
        """Add a ``<Reject>`` child and return it.

        :param reason: Rejection reason
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Reject"
            if reason is not None:
                head += ' reason="' + quote_attr(reason) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Reject", None, {"reason": reason}, kwargs) from None
        node = _new(Reject)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def sms(
        self,
        message: TextValue,
        to: AttrValue = None,
        from_: AttrValue = None,
        action: AttrValue = None,
        method: AttrValue = None,
        status_callback: AttrValue = None,
        **kwargs: Any,
    ) -> Sms:
        """Add a ``<Sms>`` child and return it.

        :param message: Message body
        :param to: Number to send message to
        :param from_: Number to send message from
        :param action: Action URL
        :param method: Action URL method
        :param status_callback: Status callback URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Sms"
            if to is not None:
                head += ' to="' + quote_attr(to) + '"'
            if from_ is not None:
                head += ' from="' + quote_attr(from_) + '"'
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if message is None else [quote_text(message)]
        except _Unrepresentable:
            raise invalid(
                "Sms",
                message,
                {
                    "to": to,
                    "from": from_,
                    "action": action,
                    "method": method,
                    "statusCallback": status_callback,
                },
                kwargs,
            ) from None
        node = _new(Sms)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def pay(
        self,
        input: AttrValue = None,
        action: AttrValue = None,
        bank_account_type: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        timeout: AttrValue = None,
        max_attempts: AttrValue = None,
        security_code: AttrValue = None,
        postal_code: AttrValue = None,
        min_postal_code_length: AttrValue = None,
        payment_connector: AttrValue = None,
        payment_method: AttrValue = None,
        token_type: AttrValue = None,
        charge_amount: AttrValue = None,
        currency: AttrValue = None,
        description: AttrValue = None,
        valid_card_types: AttrValue = None,
        language: AttrValue = None,
        **kwargs: Any,
    ) -> Pay:
        """Add a ``<Pay>`` child and return it.

        :param input: Input type Twilio should accept
        :param action: Action URL
        :param bank_account_type: Bank account type for ach transactions. If set, payment method
            attribute must be provided and value should be set to ach-debit. defaults to consumer-
            checking
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback method
        :param timeout: Time to wait to gather input
        :param max_attempts: Maximum number of allowed retries when gathering input
        :param security_code: Prompt for security code
        :param postal_code: Prompt for postal code and it should be true/false or default postal
            code
        :param min_postal_code_length: Prompt for minimum postal code length
        :param payment_connector: Unique name for payment connector
        :param payment_method: Payment method to be used. defaults to credit-card
        :param token_type: Type of token
        :param charge_amount: Amount to process. If value is greater than 0 then make the payment
            else create a payment token
        :param currency: Currency of the amount attribute
        :param description: Details regarding the payment
        :param valid_card_types: Comma separated accepted card types
        :param language: Language to use
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Pay"
            if input is not None:
                head += ' input="' + quote_attr(input) + '"'
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if bank_account_type is not None:
                head += ' bankAccountType="' + quote_attr(bank_account_type) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if timeout is not None:
                head += ' timeout="' + quote_attr(timeout) + '"'
            if max_attempts is not None:
                head += ' maxAttempts="' + quote_attr(max_attempts) + '"'
            if security_code is not None:
                head += ' securityCode="' + quote_attr(security_code) + '"'
            if postal_code is not None:
                head += ' postalCode="' + quote_attr(postal_code) + '"'
            if min_postal_code_length is not None:
                head += ' minPostalCodeLength="' + quote_attr(min_postal_code_length) + '"'
            if payment_connector is not None:
                head += ' paymentConnector="' + quote_attr(payment_connector) + '"'
            if payment_method is not None:
                head += ' paymentMethod="' + quote_attr(payment_method) + '"'
            if token_type is not None:
                head += ' tokenType="' + quote_attr(token_type) + '"'
            if charge_amount is not None:
                head += ' chargeAmount="' + quote_attr(charge_amount) + '"'
            if currency is not None:
                head += ' currency="' + quote_attr(currency) + '"'
            if description is not None:
                head += ' description="' + quote_attr(description) + '"'
            if valid_card_types is not None:
                head += ' validCardTypes="' + quote_attr(valid_card_types) + '"'
            if language is not None:
                head += ' language="' + quote_attr(language) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Pay",
                None,
                {
                    "input": input,
                    "action": action,
                    "bankAccountType": bank_account_type,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "timeout": timeout,
                    "maxAttempts": max_attempts,
                    "securityCode": security_code,
                    "postalCode": postal_code,
                    "minPostalCodeLength": min_postal_code_length,
                    "paymentConnector": payment_connector,
                    "paymentMethod": payment_method,
                    "tokenType": token_type,
                    "chargeAmount": charge_amount,
                    "currency": currency,
                    "description": description,
                    "validCardTypes": valid_card_types,
                    "language": language,
                },
                kwargs,
            ) from None
        node = _new(Pay)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def start(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Start:
        """Add a ``<Start>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Start"
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Start", None, {"action": action, "method": method}, kwargs) from None
        node = _new(Start)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def stop(
        self,
        **kwargs: Any,
    ) -> Stop:
        """Add a ``<Stop>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Stop"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Stop", None, {}, kwargs) from None
        node = _new(Stop)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def refer(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Refer:
        """Add a ``<Refer>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Refer"
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Refer", None, {"action": action, "method": method}, kwargs) from None
        node = _new(Refer)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Refer(TwiML):
    """The ``<Refer>`` TwiML verb. It holds ``<Sip>``."""

    __slots__ = ()
    _tag = "Refer"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Refer"
            self._content = []

    def sip(
        self,
        sip_url: TextValue,
        **kwargs: Any,
    ) -> ReferSip:
        """Add a ``<Sip>`` child and return it.

        :param sip_url: SIP URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Sip"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if sip_url is None else [quote_text(sip_url)]
        except _Unrepresentable:
            raise invalid("Sip", sip_url, {}, kwargs) from None
        node = _new(ReferSip)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class ReferSip(TwiML):
    """The ``<Sip>`` TwiML noun, inside ``<Refer>``."""

    __slots__ = ()
    _tag = "Sip"

    def __init__(self, sip_url: TextValue, **kwargs: Any) -> None:
        super().__init__(sip_url, **kwargs)


class Stop(_StreamBuilder, _SiprecBuilder, _TranscriptionBuilder, TwiML):
    """The ``<Stop>`` TwiML verb. It holds ``<Stream>``, ``<Siprec>``, ``<Transcription>``."""

    __slots__ = ()
    _tag = "Stop"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Stop"
            self._content = []


class Transcription(_ConfigBuilder, _ParameterBuilder, TwiML):
    """The ``<Transcription>`` TwiML noun, inside ``<Start>``, ``<Stop>``. It holds ``<Config>``,
    ``<Parameter>``.
    """

    __slots__ = ()
    _tag = "Transcription"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Transcription"
            self._content = []


class Parameter(TwiML):
    """The ``<Parameter>`` TwiML noun, inside ``<Application>``, ``<Client>``,
    ``<ConversationRelay>``, ``<Hangup>``, ``<Pay>``, ``<Reject>``, ``<Siprec>``, ``<Stream>``,
    ``<Transcription>``, ``<VirtualAgent>``.
    """

    __slots__ = ()
    _tag = "Parameter"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Parameter"
            self._content = []


class Config(TwiML):
    """The ``<Config>`` TwiML noun, inside ``<Transcription>``, ``<VirtualAgent>``."""

    __slots__ = ()
    _tag = "Config"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Config"
            self._content = []


class Siprec(_ParameterBuilder, TwiML):
    """The ``<Siprec>`` TwiML noun, inside ``<Start>``, ``<Stop>``. It holds ``<Parameter>``."""

    __slots__ = ()
    _tag = "Siprec"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Siprec"
            self._content = []


class Stream(_ParameterBuilder, TwiML):
    """The ``<Stream>`` TwiML noun, inside ``<Connect>``, ``<Start>``, ``<Stop>``. It holds
    ``<Parameter>``.
    """

    __slots__ = ()
    _tag = "Stream"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Stream"
            self._content = []


class Start(_StreamBuilder, _SiprecBuilder, _TranscriptionBuilder, TwiML):
    """The ``<Start>`` TwiML verb. It holds ``<Stream>``, ``<Siprec>``, ``<Transcription>``,
    ``<Recording>``.
    """

    __slots__ = ()
    _tag = "Start"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Start"
            self._content = []

    def recording(
        self,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        trim: AttrValue = None,
        track: AttrValue = None,
        channels: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        **kwargs: Any,
    ) -> Recording:
        """Add a ``<Recording>`` child and return it.

        :param recording_status_callback: Recording Status Callback URL
        :param recording_status_callback_method: Recording Status Callback URL method
        :param recording_status_callback_event: Recording Status Callback Events
        :param trim: Trim the recording
        :param track: To indicate which audio track should be recorded
        :param channels: The recording channels for the final recording
        :param recording_configuration_id: Configuration for the recording
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Recording"
            if recording_status_callback is not None:
                head += ' recordingStatusCallback="' + quote_attr(recording_status_callback) + '"'
            if recording_status_callback_method is not None:
                head += (
                    ' recordingStatusCallbackMethod="'
                    + quote_attr(recording_status_callback_method)
                    + '"'
                )
            if recording_status_callback_event is not None:
                head += (
                    ' recordingStatusCallbackEvent="'
                    + quote_attr(recording_status_callback_event)
                    + '"'
                )
            if trim is not None:
                head += ' trim="' + quote_attr(trim) + '"'
            if track is not None:
                head += ' track="' + quote_attr(track) + '"'
            if channels is not None:
                head += ' channels="' + quote_attr(channels) + '"'
            if recording_configuration_id is not None:
                head += ' recordingConfigurationId="' + quote_attr(recording_configuration_id) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Recording",
                None,
                {
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "trim": trim,
                    "track": track,
                    "channels": channels,
                    "recordingConfigurationId": recording_configuration_id,
                },
                kwargs,
            ) from None
        node = _new(Recording)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Recording(TwiML):
    """The ``<Recording>`` TwiML noun, inside ``<Start>``."""

    __slots__ = ()
    _tag = "Recording"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Recording"
            self._content = []


class Prompt(_SayBuilder, _PlayBuilder, _PauseBuilder, TwiML):
    """The ``<Prompt>`` TwiML verb. It holds ``<Say>``, ``<Play>``, ``<Pause>``."""

    __slots__ = ()
    _tag = "Prompt"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Prompt"
            self._content = []


class Pause(TwiML):
    """The ``<Pause>`` TwiML verb."""

    __slots__ = ()
    _tag = "Pause"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Pause"
            self._content = []


class Play(TwiML):
    """The ``<Play>`` TwiML verb."""

    __slots__ = ()
    _tag = "Play"

    def __init__(self, url: TextValue = None, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)


class Say(
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SBuilder,
    _SayAsBuilder,
    _SubBuilder,
    _WBuilder,
    TwiML,
):
    """The ``<Say>`` TwiML verb. It holds ``<break>``, ``<emphasis>``, ``<lang>``, ``<p>``,
    ``<phoneme>``, ``<prosody>``, ``<s>``, ``<say-as>``, ``<sub>``, ``<w>``.
    """

    __slots__ = ()
    _tag = "Say"

    def __init__(self, message: TextValue = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class Pay(_PromptBuilder, _ParameterBuilder, TwiML):
    """The ``<Pay>`` TwiML verb. It holds ``<Prompt>``, ``<Parameter>``."""

    __slots__ = ()
    _tag = "Pay"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Pay"
            self._content = []


class Sms(TwiML):
    """The ``<Sms>`` TwiML verb."""

    __slots__ = ()
    _tag = "Sms"

    def __init__(self, message: TextValue, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class Reject(_ParameterBuilder, TwiML):
    """The ``<Reject>`` TwiML verb. It holds ``<Parameter>``."""

    __slots__ = ()
    _tag = "Reject"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Reject"
            self._content = []


class Redirect(TwiML):
    """The ``<Redirect>`` TwiML verb."""

    __slots__ = ()
    _tag = "Redirect"

    def __init__(self, url: TextValue, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)


class Record(TwiML):
    """The ``<Record>`` TwiML verb."""

    __slots__ = ()
    _tag = "Record"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Record"
            self._content = []


class Queue(TwiML):
    """The ``<Queue>`` TwiML verb."""

    __slots__ = ()
    _tag = "Queue"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


class Leave(TwiML):
    """The ``<Leave>`` TwiML verb."""

    __slots__ = ()
    _tag = "Leave"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Leave"
            self._content = []


class Hangup(_ParameterBuilder, TwiML):
    """The ``<Hangup>`` TwiML verb. It holds ``<Parameter>``."""

    __slots__ = ()
    _tag = "Hangup"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Hangup"
            self._content = []


class Gather(_SayBuilder, _PauseBuilder, _PlayBuilder, TwiML):
    """The ``<Gather>`` TwiML verb. It holds ``<Say>``, ``<Pause>``, ``<Play>``."""

    __slots__ = ()
    _tag = "Gather"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Gather"
            self._content = []


class Enqueue(TwiML):
    """The ``<Enqueue>`` TwiML verb. It holds ``<Task>``."""

    __slots__ = ()
    _tag = "Enqueue"

    def __init__(self, name: TextValue = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)

    def task(
        self,
        body: TextValue,
        priority: AttrValue = None,
        timeout: AttrValue = None,
        **kwargs: Any,
    ) -> Task:
        """Add a ``<Task>`` child and return it.

        :param body: TaskRouter task attributes
        :param priority: Task priority
        :param timeout: Timeout associated with task
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Task"
            if priority is not None:
                head += ' priority="' + quote_attr(priority) + '"'
            if timeout is not None:
                head += ' timeout="' + quote_attr(timeout) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if body is None else [quote_text(body)]
        except _Unrepresentable:
            raise invalid(
                "Task", body, {"priority": priority, "timeout": timeout}, kwargs
            ) from None
        node = _new(Task)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Task(TwiML):
    """The ``<Task>`` TwiML noun, inside ``<Enqueue>``."""

    __slots__ = ()
    _tag = "Task"

    def __init__(self, body: TextValue, **kwargs: Any) -> None:
        super().__init__(body, **kwargs)


class Echo(TwiML):
    """The ``<Echo>`` TwiML verb."""

    __slots__ = ()
    _tag = "Echo"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Echo"
            self._content = []


class Dial(_QueueBuilder, TwiML):
    """The ``<Dial>`` TwiML verb. It holds ``<Client>``, ``<Conference>``, ``<Number>``,
    ``<Queue>``, ``<Sim>``, ``<Sip>``, ``<Application>``, ``<WhatsApp>``.
    """

    __slots__ = ()
    _tag = "Dial"

    def __init__(self, number: TextValue = None, **kwargs: Any) -> None:
        super().__init__(number, **kwargs)

    def client(
        self,
        identity: TextValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> Client:
        """Add a ``<Client>`` child and return it.

        :param identity: Client identity
        :param url: Client URL
        :param method: Client URL Method
        :param status_callback_event: Events to trigger status callback
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL Method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Client"
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if status_callback_event is not None:
                head += ' statusCallbackEvent="' + quote_attr(status_callback_event) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if identity is None else [quote_text(identity)]
        except _Unrepresentable:
            raise invalid(
                "Client",
                identity,
                {
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(Client)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def conference(
        self,
        name: TextValue,
        muted: AttrValue = None,
        beep: AttrValue = None,
        start_conference_on_enter: AttrValue = None,
        end_conference_on_exit: AttrValue = None,
        wait_url: AttrValue = None,
        wait_method: AttrValue = None,
        max_participants: AttrValue = None,
        record: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        region: AttrValue = None,
        coach: AttrValue = None,
        trim: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        event_callback_url: AttrValue = None,
        jitter_buffer_size: AttrValue = None,
        participant_label: AttrValue = None,
        **kwargs: Any,
    ) -> Conference:
        """Add a ``<Conference>`` child and return it.

        :param name: Conference name
        :param muted: Join the conference muted
        :param beep: Play beep when joining
        :param start_conference_on_enter: Start the conference on enter
        :param end_conference_on_exit: End the conferenceon exit
        :param wait_url: Wait URL
        :param wait_method: Wait URL method
        :param max_participants: Maximum number of participants
        :param record: Record the conference
        :param recording_configuration_id: Configuration for the recording
        :param region: Conference region
        :param coach: Call coach
        :param trim: Trim the conference recording
        :param status_callback_event: Events to call status callback URL
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param recording_status_callback: Recording status callback URL
        :param recording_status_callback_method: Recording status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param event_callback_url: Event callback URL
        :param jitter_buffer_size: Size of jitter buffer for participant
        :param participant_label: A label for participant
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Conference"
            if muted is not None:
                head += ' muted="' + quote_attr(muted) + '"'
            if beep is not None:
                head += ' beep="' + quote_attr(beep) + '"'
            if start_conference_on_enter is not None:
                head += ' startConferenceOnEnter="' + quote_attr(start_conference_on_enter) + '"'
            if end_conference_on_exit is not None:
                head += ' endConferenceOnExit="' + quote_attr(end_conference_on_exit) + '"'
            if wait_url is not None:
                head += ' waitUrl="' + quote_attr(wait_url) + '"'
            if wait_method is not None:
                head += ' waitMethod="' + quote_attr(wait_method) + '"'
            if max_participants is not None:
                head += ' maxParticipants="' + quote_attr(max_participants) + '"'
            if record is not None:
                head += ' record="' + quote_attr(record) + '"'
            if recording_configuration_id is not None:
                head += ' recordingConfigurationId="' + quote_attr(recording_configuration_id) + '"'
            if region is not None:
                head += ' region="' + quote_attr(region) + '"'
            if coach is not None:
                head += ' coach="' + quote_attr(coach) + '"'
            if trim is not None:
                head += ' trim="' + quote_attr(trim) + '"'
            if status_callback_event is not None:
                head += ' statusCallbackEvent="' + quote_attr(status_callback_event) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if recording_status_callback is not None:
                head += ' recordingStatusCallback="' + quote_attr(recording_status_callback) + '"'
            if recording_status_callback_method is not None:
                head += (
                    ' recordingStatusCallbackMethod="'
                    + quote_attr(recording_status_callback_method)
                    + '"'
                )
            if recording_status_callback_event is not None:
                head += (
                    ' recordingStatusCallbackEvent="'
                    + quote_attr(recording_status_callback_event)
                    + '"'
                )
            if event_callback_url is not None:
                head += ' eventCallbackUrl="' + quote_attr(event_callback_url) + '"'
            if jitter_buffer_size is not None:
                head += ' jitterBufferSize="' + quote_attr(jitter_buffer_size) + '"'
            if participant_label is not None:
                head += ' participantLabel="' + quote_attr(participant_label) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if name is None else [quote_text(name)]
        except _Unrepresentable:
            raise invalid(
                "Conference",
                name,
                {
                    "muted": muted,
                    "beep": beep,
                    "startConferenceOnEnter": start_conference_on_enter,
                    "endConferenceOnExit": end_conference_on_exit,
                    "waitUrl": wait_url,
                    "waitMethod": wait_method,
                    "maxParticipants": max_participants,
                    "record": record,
                    "recordingConfigurationId": recording_configuration_id,
                    "region": region,
                    "coach": coach,
                    "trim": trim,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "eventCallbackUrl": event_callback_url,
                    "jitterBufferSize": jitter_buffer_size,
                    "participantLabel": participant_label,
                },
                kwargs,
            ) from None
        node = _new(Conference)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def number(
        self,
        phone_number: TextValue,
        send_digits: AttrValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        byoc: AttrValue = None,
        machine_detection: AttrValue = None,
        amd_status_callback_method: AttrValue = None,
        amd_status_callback: AttrValue = None,
        machine_detection_timeout: AttrValue = None,
        machine_detection_speech_threshold: AttrValue = None,
        machine_detection_speech_end_threshold: AttrValue = None,
        machine_detection_silence_timeout: AttrValue = None,
        **kwargs: Any,
    ) -> Number:
        """Add a ``<Number>`` child and return it.

        :param phone_number: Phone Number to dial
        :param send_digits: DTMF tones to play when the call is answered
        :param url: TwiML URL
        :param method: TwiML URL method
        :param status_callback_event: Events to call status callback
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param byoc: BYOC trunk SID (Beta)
        :param machine_detection: Enable machine detection or end of greeting detection
        :param amd_status_callback_method: HTTP Method to use with amd_status_callback
        :param amd_status_callback: The URL we should call to send amd status information to your
            application
        :param machine_detection_timeout: Number of seconds to wait for machine detection
        :param machine_detection_speech_threshold: Number of milliseconds for measuring stick for
            the length of the speech activity
        :param machine_detection_speech_end_threshold: Number of milliseconds of silence after
            speech activity
        :param machine_detection_silence_timeout: Number of milliseconds of initial silence
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Number"
            if send_digits is not None:
                head += ' sendDigits="' + quote_attr(send_digits) + '"'
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if status_callback_event is not None:
                head += ' statusCallbackEvent="' + quote_attr(status_callback_event) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if byoc is not None:
                head += ' byoc="' + quote_attr(byoc) + '"'
            if machine_detection is not None:
                head += ' machineDetection="' + quote_attr(machine_detection) + '"'
            if amd_status_callback_method is not None:
                head += ' amdStatusCallbackMethod="' + quote_attr(amd_status_callback_method) + '"'
            if amd_status_callback is not None:
                head += ' amdStatusCallback="' + quote_attr(amd_status_callback) + '"'
            if machine_detection_timeout is not None:
                head += ' machineDetectionTimeout="' + quote_attr(machine_detection_timeout) + '"'
            if machine_detection_speech_threshold is not None:
                head += (
                    ' machineDetectionSpeechThreshold="'
                    + quote_attr(machine_detection_speech_threshold)
                    + '"'
                )
            if machine_detection_speech_end_threshold is not None:
                head += (
                    ' machineDetectionSpeechEndThreshold="'
                    + quote_attr(machine_detection_speech_end_threshold)
                    + '"'
                )
            if machine_detection_silence_timeout is not None:
                head += (
                    ' machineDetectionSilenceTimeout="'
                    + quote_attr(machine_detection_silence_timeout)
                    + '"'
                )
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if phone_number is None else [quote_text(phone_number)]
        except _Unrepresentable:
            raise invalid(
                "Number",
                phone_number,
                {
                    "sendDigits": send_digits,
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "byoc": byoc,
                    "machineDetection": machine_detection,
                    "amdStatusCallbackMethod": amd_status_callback_method,
                    "amdStatusCallback": amd_status_callback,
                    "machineDetectionTimeout": machine_detection_timeout,
                    "machineDetectionSpeechThreshold": machine_detection_speech_threshold,
                    "machineDetectionSpeechEndThreshold": machine_detection_speech_end_threshold,
                    "machineDetectionSilenceTimeout": machine_detection_silence_timeout,
                },
                kwargs,
            ) from None
        node = _new(Number)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def sim(
        self,
        sim_sid: TextValue,
        **kwargs: Any,
    ) -> Sim:
        """Add a ``<Sim>`` child and return it.

        :param sim_sid: SIM SID
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Sim"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if sim_sid is None else [quote_text(sim_sid)]
        except _Unrepresentable:
            raise invalid("Sim", sim_sid, {}, kwargs) from None
        node = _new(Sim)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def sip(
        self,
        sip_url: TextValue = None,
        username: AttrValue = None,
        password: AttrValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        machine_detection: AttrValue = None,
        amd_status_callback_method: AttrValue = None,
        amd_status_callback: AttrValue = None,
        machine_detection_timeout: AttrValue = None,
        machine_detection_speech_threshold: AttrValue = None,
        machine_detection_speech_end_threshold: AttrValue = None,
        machine_detection_silence_timeout: AttrValue = None,
        **kwargs: Any,
    ) -> Sip:
        """Add a ``<Sip>`` child and return it.

        :param sip_url: SIP URL
        :param username: SIP Username
        :param password: SIP Password
        :param url: Action URL
        :param method: Action URL method
        :param status_callback_event: Status callback events
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param machine_detection: Enable machine detection or end of greeting detection
        :param amd_status_callback_method: HTTP Method to use with amd_status_callback
        :param amd_status_callback: The URL we should call to send amd status information to your
            application
        :param machine_detection_timeout: Number of seconds to wait for machine detection
        :param machine_detection_speech_threshold: Number of milliseconds for measuring stick for
            the length of the speech activity
        :param machine_detection_speech_end_threshold: Number of milliseconds of silence after
            speech activity
        :param machine_detection_silence_timeout: Number of milliseconds of initial silence
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Sip"
            if username is not None:
                head += ' username="' + quote_attr(username) + '"'
            if password is not None:
                head += ' password="' + quote_attr(password) + '"'
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if status_callback_event is not None:
                head += ' statusCallbackEvent="' + quote_attr(status_callback_event) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if machine_detection is not None:
                head += ' machineDetection="' + quote_attr(machine_detection) + '"'
            if amd_status_callback_method is not None:
                head += ' amdStatusCallbackMethod="' + quote_attr(amd_status_callback_method) + '"'
            if amd_status_callback is not None:
                head += ' amdStatusCallback="' + quote_attr(amd_status_callback) + '"'
            if machine_detection_timeout is not None:
                head += ' machineDetectionTimeout="' + quote_attr(machine_detection_timeout) + '"'
            if machine_detection_speech_threshold is not None:
                head += (
                    ' machineDetectionSpeechThreshold="'
                    + quote_attr(machine_detection_speech_threshold)
                    + '"'
                )
            if machine_detection_speech_end_threshold is not None:
                head += (
                    ' machineDetectionSpeechEndThreshold="'
                    + quote_attr(machine_detection_speech_end_threshold)
                    + '"'
                )
            if machine_detection_silence_timeout is not None:
                head += (
                    ' machineDetectionSilenceTimeout="'
                    + quote_attr(machine_detection_silence_timeout)
                    + '"'
                )
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if sip_url is None else [quote_text(sip_url)]
        except _Unrepresentable:
            raise invalid(
                "Sip",
                sip_url,
                {
                    "username": username,
                    "password": password,
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "machineDetection": machine_detection,
                    "amdStatusCallbackMethod": amd_status_callback_method,
                    "amdStatusCallback": amd_status_callback,
                    "machineDetectionTimeout": machine_detection_timeout,
                    "machineDetectionSpeechThreshold": machine_detection_speech_threshold,
                    "machineDetectionSpeechEndThreshold": machine_detection_speech_end_threshold,
                    "machineDetectionSilenceTimeout": machine_detection_silence_timeout,
                },
                kwargs,
            ) from None
        node = _new(Sip)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def application(
        self,
        application_sid: TextValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        customer_id: AttrValue = None,
        copy_parent_to: AttrValue = None,
        **kwargs: Any,
    ) -> Application:
        """Add a ``<Application>`` child and return it.

        :param application_sid: Application sid
        :param url: TwiML URL
        :param method: TwiML URL Method
        :param status_callback_event: Events to trigger status callback
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL Method
        :param customer_id: Identity of the customer calling application
        :param copy_parent_to: Copy parent call To field to called application side, otherwise use
            the application sid as To field
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Application"
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if status_callback_event is not None:
                head += ' statusCallbackEvent="' + quote_attr(status_callback_event) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if customer_id is not None:
                head += ' customerId="' + quote_attr(customer_id) + '"'
            if copy_parent_to is not None:
                head += ' copyParentTo="' + quote_attr(copy_parent_to) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = (
                [] if application_sid is None else [quote_text(application_sid)]
            )
        except _Unrepresentable:
            raise invalid(
                "Application",
                application_sid,
                {
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "customerId": customer_id,
                    "copyParentTo": copy_parent_to,
                },
                kwargs,
            ) from None
        node = _new(Application)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def whats_app(
        self,
        phone_number: TextValue,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> WhatsApp:
        """Add a ``<WhatsApp>`` child and return it.

        :param phone_number: WhatsApp Phone Number to dial
        :param url: TwiML URL
        :param method: TwiML URL Method
        :param status_callback_event: Events to trigger status callback
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL Method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<WhatsApp"
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if status_callback_event is not None:
                head += ' statusCallbackEvent="' + quote_attr(status_callback_event) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if phone_number is None else [quote_text(phone_number)]
        except _Unrepresentable:
            raise invalid(
                "WhatsApp",
                phone_number,
                {
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(WhatsApp)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class WhatsApp(TwiML):
    """The ``<WhatsApp>`` TwiML noun, inside ``<Dial>``."""

    __slots__ = ()
    _tag = "WhatsApp"

    def __init__(self, phone_number: TextValue, **kwargs: Any) -> None:
        super().__init__(phone_number, **kwargs)


class Application(_ParameterBuilder, TwiML):
    """The ``<Application>`` TwiML noun, inside ``<Dial>``. It holds ``<ApplicationSid>``,
    ``<Parameter>``.
    """

    __slots__ = ()
    _tag = "Application"

    def __init__(self, application_sid: TextValue = None, **kwargs: Any) -> None:
        super().__init__(application_sid, **kwargs)

    def application_sid(
        self,
        sid: TextValue,
        **kwargs: Any,
    ) -> ApplicationSid:
        """Add a ``<ApplicationSid>`` child and return it.

        :param sid: Application sid to dial
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<ApplicationSid"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if sid is None else [quote_text(sid)]
        except _Unrepresentable:
            raise invalid("ApplicationSid", sid, {}, kwargs) from None
        node = _new(ApplicationSid)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class ApplicationSid(TwiML):
    """The ``<ApplicationSid>`` TwiML noun, inside ``<Application>``."""

    __slots__ = ()
    _tag = "ApplicationSid"

    def __init__(self, sid: TextValue, **kwargs: Any) -> None:
        super().__init__(sid, **kwargs)


class Sip(TwiML):
    """The ``<Sip>`` TwiML noun, inside ``<Dial>``. It holds ``<Uri>``, ``<Headers>``."""

    __slots__ = ()
    _tag = "Sip"

    def __init__(self, sip_url: TextValue = None, **kwargs: Any) -> None:
        super().__init__(sip_url, **kwargs)

    def uri(
        self,
        sip_url: TextValue = None,
        priority: AttrValue = None,
        weight: AttrValue = None,
        username: AttrValue = None,
        password: AttrValue = None,
        **kwargs: Any,
    ) -> SipUri:
        """Add a ``<Uri>`` child and return it.

        :param sip_url: The SIP URI
        :param priority: The priority of this SIP URI
        :param weight: The weight of this SIP URI
        :param username: The username for authentication
        :param password: The password for authentication
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Uri"
            if priority is not None:
                head += ' priority="' + quote_attr(priority) + '"'
            if weight is not None:
                head += ' weight="' + quote_attr(weight) + '"'
            if username is not None:
                head += ' username="' + quote_attr(username) + '"'
            if password is not None:
                head += ' password="' + quote_attr(password) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if sip_url is None else [quote_text(sip_url)]
        except _Unrepresentable:
            raise invalid(
                "Uri",
                sip_url,
                {
                    "priority": priority,
                    "weight": weight,
                    "username": username,
                    "password": password,
                },
                kwargs,
            ) from None
        node = _new(SipUri)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def headers(
        self,
        **kwargs: Any,
    ) -> Headers:
        """Add a ``<Headers>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Headers"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Headers", None, {}, kwargs) from None
        node = _new(Headers)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Headers(TwiML):
    """The ``<Headers>`` TwiML noun, inside ``<Sip>``. It holds ``<Header>``."""

    __slots__ = ()
    _tag = "Headers"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Headers"
            self._content = []

    def header(
        self,
        name: AttrValue = None,
        value: AttrValue = None,
        **kwargs: Any,
    ) -> Header:
        """Add a ``<Header>`` child and return it.

        :param name: The name of the custom header
        :param value: The value of the custom header
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Header"
            if name is not None:
                head += ' name="' + quote_attr(name) + '"'
            if value is not None:
                head += ' value="' + quote_attr(value) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("Header", None, {"name": name, "value": value}, kwargs) from None
        node = _new(Header)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Header(TwiML):
    """The ``<Header>`` TwiML noun, inside ``<Headers>``."""

    __slots__ = ()
    _tag = "Header"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Header"
            self._content = []


class SipUri(TwiML):
    """The ``<Uri>`` TwiML noun, inside ``<Sip>``."""

    __slots__ = ()
    _tag = "Uri"

    def __init__(self, sip_url: TextValue = None, **kwargs: Any) -> None:
        super().__init__(sip_url, **kwargs)


class Sim(TwiML):
    """The ``<Sim>`` TwiML noun, inside ``<Dial>``."""

    __slots__ = ()
    _tag = "Sim"

    def __init__(self, sim_sid: TextValue, **kwargs: Any) -> None:
        super().__init__(sim_sid, **kwargs)


class Number(TwiML):
    """The ``<Number>`` TwiML noun, inside ``<Dial>``."""

    __slots__ = ()
    _tag = "Number"

    def __init__(self, phone_number: TextValue, **kwargs: Any) -> None:
        super().__init__(phone_number, **kwargs)


class Conference(TwiML):
    """The ``<Conference>`` TwiML noun, inside ``<Dial>``."""

    __slots__ = ()
    _tag = "Conference"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


class Client(_ParameterBuilder, TwiML):
    """The ``<Client>`` TwiML noun, inside ``<Dial>``. It holds ``<Identity>``, ``<Parameter>``."""

    __slots__ = ()
    _tag = "Client"

    def __init__(self, identity: TextValue = None, **kwargs: Any) -> None:
        super().__init__(identity, **kwargs)

    def identity(
        self,
        client_identity: TextValue,
        **kwargs: Any,
    ) -> Identity:
        """Add a ``<Identity>`` child and return it.

        :param client_identity: Identity of the client to dial
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Identity"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = (
                [] if client_identity is None else [quote_text(client_identity)]
            )
        except _Unrepresentable:
            raise invalid("Identity", client_identity, {}, kwargs) from None
        node = _new(Identity)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Identity(TwiML):
    """The ``<Identity>`` TwiML noun, inside ``<Client>``."""

    __slots__ = ()
    _tag = "Identity"

    def __init__(self, client_identity: TextValue, **kwargs: Any) -> None:
        super().__init__(client_identity, **kwargs)


class Connect(_StreamBuilder, TwiML):
    """The ``<Connect>`` TwiML verb. It holds ``<Room>``, ``<Autopilot>``, ``<Stream>``,
    ``<VirtualAgent>``, ``<Conversation>``, ``<ConversationRelay>``, ``<AiSession>``,
    ``<ConversationRelaySession>``.
    """

    __slots__ = ()
    _tag = "Connect"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Connect"
            self._content = []

    def room(
        self,
        name: TextValue,
        participant_identity: AttrValue = None,
        **kwargs: Any,
    ) -> Room:
        """Add a ``<Room>`` child and return it.

        :param name: Room name
        :param participant_identity: Participant identity when connecting to the Room
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Room"
            if participant_identity is not None:
                head += ' participantIdentity="' + quote_attr(participant_identity) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if name is None else [quote_text(name)]
        except _Unrepresentable:
            raise invalid(
                "Room", name, {"participantIdentity": participant_identity}, kwargs
            ) from None
        node = _new(Room)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def autopilot(
        self,
        name: TextValue,
        **kwargs: Any,
    ) -> Autopilot:
        """Add a ``<Autopilot>`` child and return it.

        :param name: Autopilot assistant sid or unique name
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Autopilot"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if name is None else [quote_text(name)]
        except _Unrepresentable:
            raise invalid("Autopilot", name, {}, kwargs) from None
        node = _new(Autopilot)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def virtual_agent(
        self,
        connector_name: AttrValue = None,
        language: AttrValue = None,
        sentiment_analysis: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> VirtualAgent:
        """Add a ``<VirtualAgent>`` child and return it.

        :param connector_name: Defines the conversation profile Dialogflow needs to use
        :param language: Language to be used by Dialogflow to transcribe speech
        :param sentiment_analysis: Whether sentiment analysis needs to be enabled or not
        :param status_callback: URL to post status callbacks from Twilio
        :param status_callback_method: HTTP method to use when requesting the status callback URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<VirtualAgent"
            if connector_name is not None:
                head += ' connectorName="' + quote_attr(connector_name) + '"'
            if language is not None:
                head += ' language="' + quote_attr(language) + '"'
            if sentiment_analysis is not None:
                head += ' sentimentAnalysis="' + quote_attr(sentiment_analysis) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "VirtualAgent",
                None,
                {
                    "connectorName": connector_name,
                    "language": language,
                    "sentimentAnalysis": sentiment_analysis,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(VirtualAgent)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def conversation(
        self,
        service_instance_sid: AttrValue = None,
        inbound_autocreation: AttrValue = None,
        routing_assignment_timeout: AttrValue = None,
        inbound_timeout: AttrValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        record: AttrValue = None,
        trim: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        status_callback_event: AttrValue = None,
        **kwargs: Any,
    ) -> Conversation:
        """Add a ``<Conversation>`` child and return it.

        :param service_instance_sid: Service instance Sid
        :param inbound_autocreation: Inbound autocreation
        :param routing_assignment_timeout: Routing assignment timeout
        :param inbound_timeout: Inbound timeout
        :param url: TwiML URL
        :param method: TwiML URL method
        :param record: Record
        :param trim: Trim
        :param recording_status_callback: Recording status callback URL
        :param recording_status_callback_method: Recording status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param status_callback_event: Events to call status callback URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Conversation"
            if service_instance_sid is not None:
                head += ' serviceInstanceSid="' + quote_attr(service_instance_sid) + '"'
            if inbound_autocreation is not None:
                head += ' inboundAutocreation="' + quote_attr(inbound_autocreation) + '"'
            if routing_assignment_timeout is not None:
                head += ' routingAssignmentTimeout="' + quote_attr(routing_assignment_timeout) + '"'
            if inbound_timeout is not None:
                head += ' inboundTimeout="' + quote_attr(inbound_timeout) + '"'
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if record is not None:
                head += ' record="' + quote_attr(record) + '"'
            if trim is not None:
                head += ' trim="' + quote_attr(trim) + '"'
            if recording_status_callback is not None:
                head += ' recordingStatusCallback="' + quote_attr(recording_status_callback) + '"'
            if recording_status_callback_method is not None:
                head += (
                    ' recordingStatusCallbackMethod="'
                    + quote_attr(recording_status_callback_method)
                    + '"'
                )
            if recording_status_callback_event is not None:
                head += (
                    ' recordingStatusCallbackEvent="'
                    + quote_attr(recording_status_callback_event)
                    + '"'
                )
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if status_callback_method is not None:
                head += ' statusCallbackMethod="' + quote_attr(status_callback_method) + '"'
            if status_callback_event is not None:
                head += ' statusCallbackEvent="' + quote_attr(status_callback_event) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Conversation",
                None,
                {
                    "serviceInstanceSid": service_instance_sid,
                    "inboundAutocreation": inbound_autocreation,
                    "routingAssignmentTimeout": routing_assignment_timeout,
                    "inboundTimeout": inbound_timeout,
                    "url": url,
                    "method": method,
                    "record": record,
                    "trim": trim,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "statusCallbackEvent": status_callback_event,
                },
                kwargs,
            ) from None
        node = _new(Conversation)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def conversation_relay(
        self,
        url: AttrValue = None,
        language: AttrValue = None,
        tts_language: AttrValue = None,
        transcription_language: AttrValue = None,
        tts_provider: AttrValue = None,
        voice: AttrValue = None,
        transcription_provider: AttrValue = None,
        speech_model: AttrValue = None,
        profanity_filter: AttrValue = None,
        dtmf_detection: AttrValue = None,
        welcome_greeting: AttrValue = None,
        partial_prompts: AttrValue = None,
        welcome_greeting_interruptible: AttrValue = None,
        interruptible: AttrValue = None,
        preemptible: AttrValue = None,
        hints: AttrValue = None,
        intelligence_service: AttrValue = None,
        report_input_during_agent_speech: AttrValue = None,
        elevenlabs_text_normalization: AttrValue = None,
        interrupt_sensitivity: AttrValue = None,
        debug: AttrValue = None,
        backgroundNoiseReduction: AttrValue = None,
        speechTimeout: AttrValue = None,
        deepgramSmartFormat: AttrValue = None,
        ignoreBackchannel: AttrValue = None,
        events: AttrValue = None,
        partial_prompt_on_hangup: AttrValue = None,
        eager_eot_threshold: AttrValue = None,
        asr_smart_format: AttrValue = None,
        tts_text_normalization: AttrValue = None,
        tts_language_text_normalization: AttrValue = None,
        elevenlabs_language_text_normalization: AttrValue = None,
        include_in_prompt: AttrValue = None,
        customer_name: AttrValue = None,
        application_reconnect: AttrValue = None,
        echo_prompt_filtering: AttrValue = None,
        turn_detection: AttrValue = None,
        **kwargs: Any,
    ) -> ConversationRelay:
        """Add a ``<ConversationRelay>`` child and return it.

        :param url: URL of the remote service where the session is connected to
        :param language: Language to be used for both text-to-speech and transcription
        :param tts_language: Language to be used for text-to-speech
        :param transcription_language: Language to be used for transcription
        :param tts_provider: Provider to be used for text-to-speech
        :param voice: Voice to be used for text-to-speech
        :param transcription_provider: Provider to be used for transcription
        :param speech_model: Speech model to be used for transcription
        :param profanity_filter: Whether profanities should be filtered out of the speech
            transcription
        :param dtmf_detection: Whether DTMF tones should be detected and reported in speech
            transcription
        :param welcome_greeting: The sentence to be played automatically when the session is
            connected
        :param partial_prompts: Whether partial prompts should be reported to WebSocket server
            before the caller finishes speaking
        :param welcome_greeting_interruptible: "Whether and how the input from a caller, such as
            speaking or DTMF can interrupt the welcome greeting
        :param interruptible: Whether and how the input from a caller, such as speaking or DTMF can
            interrupt the play of text-to-speech
        :param preemptible: Whether subsequent text-to-speech or play media can interrupt the on-
            going play of text-to-speech or media
        :param hints: Phrases to help better accuracy in speech recognition of these pharases
        :param intelligence_service: The Conversational Intelligence Service id or unique name to be
            used for the session
        :param report_input_during_agent_speech: Whether prompts should be reported to WebSocket
            server when text-to-speech playing and interrupt is disabled
        :param elevenlabs_text_normalization: When using ElevenLabs as TTS provider, this parameter
            allows you to enable or disable its text normalization feature
        :param interrupt_sensitivity: Set the sensitivity of the interrupt feature for speech. The
            value can be low, medium, or high
        :param debug: Multiple debug options to be used for troubleshooting
        :param backgroundNoiseReduction: This parameters enables background noise filtering on the
            audio stream before it reaches the STT engine, improving transcription accuracy in noisy
            environments
        :param speechTimeout: Set the duration of silence that indicates the end of speech
        :param deepgramSmartFormat: This parameter enables Deepgram's smart formatting feature,
            which automatically applies punctuation, capitalization, and formatting (e.g. numbers,
            dates, currency) to transcripts
        :param ignoreBackchannel: This parameter brief caller acknowledgments (e.g. "yeah", "uh-
            huh") are ignored and will not interrupt the agent while it is speaking.
        :param events: This parameter allows you to enable event subscriptions
        :param partial_prompt_on_hangup: Whether the in-progress partial transcript should be
            reported as a prompt when the call hangs up
        :param eager_eot_threshold: Eager end-of-turn confidence threshold, which fires before the
            end-of-turn threshold. The value can be between 0.3 and 0.9
        :param asr_smart_format: Whether smart formatting should be applied to transcripts. Takes
            precedence over deepgramSmartFormat
        :param tts_text_normalization: Text normalization for text-to-speech. The value can be auto,
            on, or off. Takes precedence over elevenlabsTextNormalization
        :param tts_language_text_normalization: Whether language-specific text normalization should
            be applied for text-to-speech
        :param elevenlabs_language_text_normalization: Legacy alias of ttsLanguageTextNormalization
        :param include_in_prompt: Extra fields to be included in prompt messages. The value can be
            turn-state or prompt-segments
        :param customer_name: Customer name sent to Conversations and Conversational Intelligence.
            Defaults to the caller ID
        :param application_reconnect: Whether the WebSocket connection to the application should be
            reconnected if it drops during the call. Defaults to false
        :param echo_prompt_filtering: Whether transcripts that echo the agent's own text-to-speech
            should be dropped. Defaults to false
        :param turn_detection: Whether turn detection should be used to decide when the caller has
            finished speaking. Defaults to false
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<ConversationRelay"
            if url is not None:
                head += ' url="' + quote_attr(url) + '"'
            if language is not None:
                head += ' language="' + quote_attr(language) + '"'
            if tts_language is not None:
                head += ' ttsLanguage="' + quote_attr(tts_language) + '"'
            if transcription_language is not None:
                head += ' transcriptionLanguage="' + quote_attr(transcription_language) + '"'
            if tts_provider is not None:
                head += ' ttsProvider="' + quote_attr(tts_provider) + '"'
            if voice is not None:
                head += ' voice="' + quote_attr(voice) + '"'
            if transcription_provider is not None:
                head += ' transcriptionProvider="' + quote_attr(transcription_provider) + '"'
            if speech_model is not None:
                head += ' speechModel="' + quote_attr(speech_model) + '"'
            if profanity_filter is not None:
                head += ' profanityFilter="' + quote_attr(profanity_filter) + '"'
            if dtmf_detection is not None:
                head += ' dtmfDetection="' + quote_attr(dtmf_detection) + '"'
            if welcome_greeting is not None:
                head += ' welcomeGreeting="' + quote_attr(welcome_greeting) + '"'
            if partial_prompts is not None:
                head += ' partialPrompts="' + quote_attr(partial_prompts) + '"'
            if welcome_greeting_interruptible is not None:
                head += (
                    ' welcomeGreetingInterruptible="'
                    + quote_attr(welcome_greeting_interruptible)
                    + '"'
                )
            if interruptible is not None:
                head += ' interruptible="' + quote_attr(interruptible) + '"'
            if preemptible is not None:
                head += ' preemptible="' + quote_attr(preemptible) + '"'
            if hints is not None:
                head += ' hints="' + quote_attr(hints, ", ") + '"'
            if intelligence_service is not None:
                head += ' intelligenceService="' + quote_attr(intelligence_service) + '"'
            if report_input_during_agent_speech is not None:
                head += (
                    ' reportInputDuringAgentSpeech="'
                    + quote_attr(report_input_during_agent_speech)
                    + '"'
                )
            if elevenlabs_text_normalization is not None:
                head += (
                    ' elevenlabsTextNormalization="'
                    + quote_attr(elevenlabs_text_normalization)
                    + '"'
                )
            if interrupt_sensitivity is not None:
                head += ' interruptSensitivity="' + quote_attr(interrupt_sensitivity) + '"'
            if debug is not None:
                head += ' debug="' + quote_attr(debug) + '"'
            if backgroundNoiseReduction is not None:
                head += ' backgroundNoiseReduction="' + quote_attr(backgroundNoiseReduction) + '"'
            if speechTimeout is not None:
                head += ' speechTimeout="' + quote_attr(speechTimeout) + '"'
            if deepgramSmartFormat is not None:
                head += ' deepgramSmartFormat="' + quote_attr(deepgramSmartFormat) + '"'
            if ignoreBackchannel is not None:
                head += ' ignoreBackchannel="' + quote_attr(ignoreBackchannel) + '"'
            if events is not None:
                head += ' events="' + quote_attr(events) + '"'
            if partial_prompt_on_hangup is not None:
                head += ' partialPromptOnHangup="' + quote_attr(partial_prompt_on_hangup) + '"'
            if eager_eot_threshold is not None:
                head += ' eagerEotThreshold="' + quote_attr(eager_eot_threshold) + '"'
            if asr_smart_format is not None:
                head += ' asrSmartFormat="' + quote_attr(asr_smart_format) + '"'
            if tts_text_normalization is not None:
                head += ' ttsTextNormalization="' + quote_attr(tts_text_normalization) + '"'
            if tts_language_text_normalization is not None:
                head += (
                    ' ttsLanguageTextNormalization="'
                    + quote_attr(tts_language_text_normalization)
                    + '"'
                )
            if elevenlabs_language_text_normalization is not None:
                head += (
                    ' elevenlabsLanguageTextNormalization="'
                    + quote_attr(elevenlabs_language_text_normalization)
                    + '"'
                )
            if include_in_prompt is not None:
                head += ' includeInPrompt="' + quote_attr(include_in_prompt) + '"'
            if customer_name is not None:
                head += ' customerName="' + quote_attr(customer_name) + '"'
            if application_reconnect is not None:
                head += ' applicationReconnect="' + quote_attr(application_reconnect) + '"'
            if echo_prompt_filtering is not None:
                head += ' echoPromptFiltering="' + quote_attr(echo_prompt_filtering) + '"'
            if turn_detection is not None:
                head += ' turnDetection="' + quote_attr(turn_detection) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "ConversationRelay",
                None,
                {
                    "url": url,
                    "language": language,
                    "ttsLanguage": tts_language,
                    "transcriptionLanguage": transcription_language,
                    "ttsProvider": tts_provider,
                    "voice": voice,
                    "transcriptionProvider": transcription_provider,
                    "speechModel": speech_model,
                    "profanityFilter": profanity_filter,
                    "dtmfDetection": dtmf_detection,
                    "welcomeGreeting": welcome_greeting,
                    "partialPrompts": partial_prompts,
                    "welcomeGreetingInterruptible": welcome_greeting_interruptible,
                    "interruptible": interruptible,
                    "preemptible": preemptible,
                    "hints": hints,
                    "intelligenceService": intelligence_service,
                    "reportInputDuringAgentSpeech": report_input_during_agent_speech,
                    "elevenlabsTextNormalization": elevenlabs_text_normalization,
                    "interruptSensitivity": interrupt_sensitivity,
                    "debug": debug,
                    "backgroundNoiseReduction": backgroundNoiseReduction,
                    "speechTimeout": speechTimeout,
                    "deepgramSmartFormat": deepgramSmartFormat,
                    "ignoreBackchannel": ignoreBackchannel,
                    "events": events,
                    "partialPromptOnHangup": partial_prompt_on_hangup,
                    "eagerEotThreshold": eager_eot_threshold,
                    "asrSmartFormat": asr_smart_format,
                    "ttsTextNormalization": tts_text_normalization,
                    "ttsLanguageTextNormalization": tts_language_text_normalization,
                    "elevenlabsLanguageTextNormalization": elevenlabs_language_text_normalization,
                    "includeInPrompt": include_in_prompt,
                    "customerName": customer_name,
                    "applicationReconnect": application_reconnect,
                    "echoPromptFiltering": echo_prompt_filtering,
                    "turnDetection": turn_detection,
                },
                kwargs,
            ) from None
        node = _new(ConversationRelay)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def ai_session(
        self,
        ai_connector: AttrValue = None,
        ai_session_configuration: AttrValue = None,
        **kwargs: Any,
    ) -> AiSession:
        """Add a ``<AiSession>`` child and return it.

        :param ai_connector: The unique name or installed add-on sid that identifies the installed
            addon resource for the AI Connector
        :param ai_session_configuration: The unique name or id of the AiSession Configuration
            resource.
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<AiSession"
            if ai_connector is not None:
                head += ' aiConnector="' + quote_attr(ai_connector) + '"'
            if ai_session_configuration is not None:
                head += ' aiSessionConfiguration="' + quote_attr(ai_session_configuration) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "AiSession",
                None,
                {"aiConnector": ai_connector, "aiSessionConfiguration": ai_session_configuration},
                kwargs,
            ) from None
        node = _new(AiSession)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def conversation_relay_session(
        self,
        connector: AttrValue = None,
        session_configuration: AttrValue = None,
        **kwargs: Any,
    ) -> ConversationRelaySession:
        """Add a ``<ConversationRelaySession>`` child and return it.

        :param connector: The unique name or installed add-on sid that identifies the installed
            addon resource for the ConversationRelaySession Connector
        :param session_configuration: The unique name or id of the ConversationRelaySession
            Configuration resource.
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<ConversationRelaySession"
            if connector is not None:
                head += ' connector="' + quote_attr(connector) + '"'
            if session_configuration is not None:
                head += ' sessionConfiguration="' + quote_attr(session_configuration) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "ConversationRelaySession",
                None,
                {"connector": connector, "sessionConfiguration": session_configuration},
                kwargs,
            ) from None
        node = _new(ConversationRelaySession)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class ConversationRelaySession(TwiML):
    """The ``<ConversationRelaySession>`` TwiML noun, inside ``<Connect>``."""

    __slots__ = ()
    _tag = "ConversationRelaySession"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<ConversationRelaySession"
            self._content = []


class AiSession(TwiML):
    """The ``<AiSession>`` TwiML noun, inside ``<Connect>``."""

    __slots__ = ()
    _tag = "AiSession"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<AiSession"
            self._content = []


class ConversationRelay(_ParameterBuilder, TwiML):
    """The ``<ConversationRelay>`` TwiML noun, inside ``<Connect>``. It holds ``<Language>``,
    ``<Parameter>``.
    """

    __slots__ = ()
    _tag = "ConversationRelay"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<ConversationRelay"
            self._content = []

    def language(
        self,
        code: AttrValue = None,
        tts_provider: AttrValue = None,
        voice: AttrValue = None,
        transcription_provider: AttrValue = None,
        speech_model: AttrValue = None,
        hints: AttrValue = None,
        asr_smart_format: AttrValue = None,
        tts_text_normalization: AttrValue = None,
        tts_language_text_normalization: AttrValue = None,
        **kwargs: Any,
    ) -> Language:
        """Add a ``<Language>`` child and return it.

        :param code: Language code of this language setting is for
        :param tts_provider: Provider to be used for text-to-speech of this language
        :param voice: Voice to be used for text-to-speech of this language
        :param transcription_provider: Provider to be used for transcription of this language
        :param speech_model: Speech model to be used for transcription of this language
        :param hints: Phrases to help better accuracy in speech recognition of this language
        :param asr_smart_format: Whether smart formatting should be applied to transcripts of this
            language
        :param tts_text_normalization: Text normalization for text-to-speech of this language. The
            value can be auto, on, or off
        :param tts_language_text_normalization: Whether language-specific text normalization should
            be applied for text-to-speech of this language
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Language"
            if code is not None:
                head += ' code="' + quote_attr(code) + '"'
            if tts_provider is not None:
                head += ' ttsProvider="' + quote_attr(tts_provider) + '"'
            if voice is not None:
                head += ' voice="' + quote_attr(voice) + '"'
            if transcription_provider is not None:
                head += ' transcriptionProvider="' + quote_attr(transcription_provider) + '"'
            if speech_model is not None:
                head += ' speechModel="' + quote_attr(speech_model) + '"'
            if hints is not None:
                head += ' hints="' + quote_attr(hints, ", ") + '"'
            if asr_smart_format is not None:
                head += ' asrSmartFormat="' + quote_attr(asr_smart_format) + '"'
            if tts_text_normalization is not None:
                head += ' ttsTextNormalization="' + quote_attr(tts_text_normalization) + '"'
            if tts_language_text_normalization is not None:
                head += (
                    ' ttsLanguageTextNormalization="'
                    + quote_attr(tts_language_text_normalization)
                    + '"'
                )
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Language",
                None,
                {
                    "code": code,
                    "ttsProvider": tts_provider,
                    "voice": voice,
                    "transcriptionProvider": transcription_provider,
                    "speechModel": speech_model,
                    "hints": hints,
                    "asrSmartFormat": asr_smart_format,
                    "ttsTextNormalization": tts_text_normalization,
                    "ttsLanguageTextNormalization": tts_language_text_normalization,
                },
                kwargs,
            ) from None
        node = _new(Language)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Language(TwiML):
    """The ``<Language>`` TwiML noun, inside ``<ConversationRelay>``."""

    __slots__ = ()
    _tag = "Language"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Language"
            self._content = []


class Conversation(TwiML):
    """The ``<Conversation>`` TwiML noun, inside ``<Connect>``."""

    __slots__ = ()
    _tag = "Conversation"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Conversation"
            self._content = []


class VirtualAgent(_ConfigBuilder, _ParameterBuilder, TwiML):
    """The ``<VirtualAgent>`` TwiML noun, inside ``<Connect>``. It holds ``<Config>``,
    ``<Parameter>``.
    """

    __slots__ = ()
    _tag = "VirtualAgent"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<VirtualAgent"
            self._content = []


class Autopilot(TwiML):
    """The ``<Autopilot>`` TwiML noun, inside ``<Connect>``."""

    __slots__ = ()
    _tag = "Autopilot"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


class Room(TwiML):
    """The ``<Room>`` TwiML noun, inside ``<Connect>``."""

    __slots__ = ()
    _tag = "Room"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


# Which children each element may hold (tag -> class), from its builder methods.
VoiceResponse._child_classes = {
    "Connect": Connect,
    "Dial": Dial,
    "Echo": Echo,
    "Enqueue": Enqueue,
    "Gather": Gather,
    "Hangup": Hangup,
    "Leave": Leave,
    "Pause": Pause,
    "Play": Play,
    "Queue": Queue,
    "Record": Record,
    "Redirect": Redirect,
    "Reject": Reject,
    "Say": Say,
    "Sms": Sms,
    "Pay": Pay,
    "Prompt": Prompt,
    "Start": Start,
    "Stop": Stop,
    "Refer": Refer,
}
Refer._child_classes = {"Sip": ReferSip}
Stop._child_classes = {"Stream": Stream, "Siprec": Siprec, "Transcription": Transcription}
Transcription._child_classes = {"Config": Config, "Parameter": Parameter}
Siprec._child_classes = {"Parameter": Parameter}
Stream._child_classes = {"Parameter": Parameter}
Start._child_classes = {
    "Stream": Stream,
    "Siprec": Siprec,
    "Transcription": Transcription,
    "Recording": Recording,
}
Prompt._child_classes = {"Say": Say, "Play": Play, "Pause": Pause}
Say._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "lang": SsmlLang,
    "p": SsmlP,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "s": SsmlS,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
    "w": SsmlW,
}
Pay._child_classes = {"Prompt": Prompt, "Parameter": Parameter}
Reject._child_classes = {"Parameter": Parameter}
Hangup._child_classes = {"Parameter": Parameter}
Gather._child_classes = {"Say": Say, "Pause": Pause, "Play": Play}
Enqueue._child_classes = {"Task": Task}
Dial._child_classes = {
    "Client": Client,
    "Conference": Conference,
    "Number": Number,
    "Queue": Queue,
    "Sim": Sim,
    "Sip": Sip,
    "Application": Application,
    "WhatsApp": WhatsApp,
}
Application._child_classes = {"ApplicationSid": ApplicationSid, "Parameter": Parameter}
Sip._child_classes = {"Uri": SipUri, "Headers": Headers}
Headers._child_classes = {"Header": Header}
Client._child_classes = {"Identity": Identity, "Parameter": Parameter}
Connect._child_classes = {
    "Room": Room,
    "Autopilot": Autopilot,
    "Stream": Stream,
    "VirtualAgent": VirtualAgent,
    "Conversation": Conversation,
    "ConversationRelay": ConversationRelay,
    "AiSession": AiSession,
    "ConversationRelaySession": ConversationRelaySession,
}
ConversationRelay._child_classes = {"Language": Language, "Parameter": Parameter}
VirtualAgent._child_classes = {"Config": Config, "Parameter": Parameter}
