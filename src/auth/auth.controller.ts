import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginThrottle } from '../rate-limit/login-throttle.decorator';
import { CurrentUser } from '../session/current-user.decorator';
import { SessionService } from '../session/session.service';
import { SignedIn } from '../session/signed-in.decorator';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
  ) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @LoginThrottle()
  @ApiOkResponse({ type: UserDto, description: 'Signed in; sets a new `sid` session cookie' })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  @ApiTooManyRequestsResponse({ description: 'Too many sign-in attempts' })
  @ApiServiceUnavailableResponse({ description: 'The session store is unreachable' })
  async login(@Body() dto: LoginDto, @Req() request: FastifyRequest): Promise<UserDto> {
    // Before the password check: an outage must not turn sign-in into an unthrottled password oracle.
    this.sessions.assertAvailable(request);
    const user = await this.auth.verify(dto.email, dto.password);
    await this.sessions.start(request, user.id);
    return user;
  }

  @Get('me')
  @SignedIn()
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() user: UserDto): UserDto {
    return user;
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Signed out (also when there was no session)' })
  @ApiServiceUnavailableResponse({ description: 'The session store is unreachable' })
  logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    return this.sessions.end(request, reply);
  }
}
