import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { Page } from '../common/dto/page';
import { PageResponse } from '../common/dto/page-response';
import { IdParam } from '../common/ids/id-param.decorator';
import { CurrentUser } from '../session/current-user.decorator';
import { Roles } from '../session/roles.decorator';
import { SessionService } from '../session/session.service';
import { SignedIn } from '../session/signed-in.decorator';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: UserDto, description: 'Signed up, as a member' })
  @ApiBadRequestResponse({ description: 'Invalid body' })
  @ApiConflictResponse({ description: 'Email is already registered' })
  create(@Body() dto: CreateUserDto): Promise<UserDto> {
    return this.users.create(dto);
  }

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: PageResponse(UserDto) })
  list(@Query() query: PageQueryDto): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @SignedIn()
  @ApiOkResponse({ type: UserDto })
  @ApiForbiddenResponse({ description: 'Another user, and not an admin' })
  @ApiNotFoundResponse()
  async findOne(@IdParam() id: string, @CurrentUser() me: UserDto): Promise<UserDto> {
    await this.assertAllowed(me, id, { admin: true });
    return this.users.findById(id);
  }

  @Patch(':id')
  @SignedIn()
  @ApiOkResponse({
    type: UserDto,
    description: "Changed; a password change ends the user's other sessions and renews this one",
  })
  @ApiBadRequestResponse({ description: 'Invalid body, or `currentPassword` missing' })
  @ApiForbiddenResponse({ description: 'Another user, or a wrong `currentPassword`' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Email is already registered' })
  async update(
    @IdParam() id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() me: UserDto,
    @Req() request: FastifyRequest,
  ): Promise<UserDto> {
    await this.assertAllowed(me, id, { admin: false });
    const user = await this.users.update(id, dto);
    if (dto.password !== undefined) await this.sessions.keepOnlyThis(request);
    return user;
  }

  @Delete(':id')
  @SignedIn()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: "Deleted; all of that user's sessions have ended" })
  @ApiForbiddenResponse({ description: 'Another user, and not an admin' })
  @ApiNotFoundResponse()
  async remove(@IdParam() id: string, @CurrentUser() me: UserDto): Promise<void> {
    await this.assertAllowed(me, id, { admin: true });
    return this.users.remove(id);
  }

  /**
   * A user may act on itself, and an admin on anyone where `admin` allows it: 403 for another user,
   * 404 for one that does not exist.
   */
  private async assertAllowed(me: UserDto, id: string, { admin }: { admin: boolean }) {
    if (me.id === id || (admin && me.role === 'admin')) return;
    await this.users.findById(id);
    throw new ForbiddenException(
      admin ? 'Only that user or an admin may do this' : 'You may only change your own account',
    );
  }
}
